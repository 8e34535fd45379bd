// Editor features over the checked files: completion of relation, entity and type names from the KB,
// hover with signatures and known facts, go-to-definition into the KB file, and document symbols.
// Works on plain data from the engine; main.ts converts the results to LSP messages.
import { basename, dirname, isAbsolute } from 'node:path';
import {
  type CompletionItem,
  CompletionItemKind,
  type DocumentSymbol,
  SymbolKind,
} from 'vscode-languageserver/node';
import { JsonDoc } from '../../dataset/json';
import type { Decl, Kb } from '../../dataset/kb';
import { splitLines } from '../../dataset/text';
import type { KbResult } from '../check/environment';
import { type CheckSession, withShippedDefaults } from '../check/session';
import type { CheckSettings, FileKind, Position, Range } from '../check/types';
import { instanceRelationDomain, kbFactDomain } from './domain';
import { cursorContext, instanceSlot, kbDeclarationSlot, kbSlot, type NameSlot } from './location';
import { entityHover, relationHover, relationSignature, typeHover } from './names';

export interface DocumentRef {
  readonly path: string;
  readonly kind: FileKind;
  readonly text: string;
}

/** The KB a document's names refer to: a KB file's folder union, else what the checker uses. */
export function kbForDocument(
  session: CheckSession,
  settings: CheckSettings,
  doc: DocumentRef,
): Kb | undefined {
  return kbResultForDocument(session, settings, doc)?.kb;
}

/** The same, with the KB files it was read from (for the output channel). */
export function kbResultForDocument(
  session: CheckSession,
  settings: CheckSettings,
  doc: DocumentRef,
): KbResult | undefined {
  if (doc.kind === 'kb') {
    const files = session.env.nearestKbFiles(dirname(doc.path)).filter((f) => f !== doc.path);
    return session.env.kbOf([doc.path, ...files].sort(), new Map([[doc.path, doc.text]]));
  }
  if (doc.kind === 'rippleedits') return undefined;
  let explicit = settings.kb;
  if (explicit === undefined && doc.kind === 'edit') {
    const parsed = new JsonDoc(doc.text).value;
    const written = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    const kb = withShippedDefaults(written, written).kb;
    if (typeof kb === 'string') explicit = isAbsolute(kb) ? kb : `${dirname(doc.path)}/${kb}`;
  }
  return session.env.kbFor(doc.path, explicit);
}

function slotAt(doc: DocumentRef, position: Position) {
  const ctx = cursorContext(doc.text, position, doc.kind === 'ripple');
  const slot: NameSlot = doc.kind === 'kb' ? kbSlot(ctx.path, ctx.atKey) : instanceSlot(ctx.path, ctx.atKey);
  return { ctx, slot };
}

export function completion(kb: Kb | undefined, doc: DocumentRef, position: Position): CompletionItem[] {
  if (!kb) return [];
  const { ctx, slot } = slotAt(doc, position);
  if (!slot) return [];
  const range: Range = ctx.string?.range ?? { start: position, end: position };
  const item = (label: string, kind: CompletionItemKind, detail: string): CompletionItem => ({
    label,
    kind,
    detail,
    textEdit: { range, newText: JSON.stringify(label) },
    filterText: JSON.stringify(label),
  });
  if (slot === 'relation') {
    // Only the relations whose domain is the subject's type, when the type is known and has any.
    const domain = relationDomain(kb, doc, position, ctx.path);
    const all = [...kb.relations.values()];
    const fitting = domain === undefined ? [] : all.filter((r) => r.domain === domain);
    return (fitting.length > 0 ? fitting : all).map((r) =>
      item(r.name, CompletionItemKind.Property, relationSignature(r)),
    );
  }
  if (slot === 'type') {
    return [...kb.types.values()].map((t) =>
      item(t.name, CompletionItemKind.Class, t.literal ? 'literal type' : 'entity type'),
    );
  }
  return [...kb.entities.values()].map((e) => item(e.name, CompletionItemKind.Value, e.type));
}

/** The parsed value a cursor path is relative to: the line of a dataset file, else the whole document. */
function valueAt(doc: DocumentRef, position: Position): unknown {
  if (doc.kind !== 'ripple') return new JsonDoc(doc.text).value;
  return new JsonDoc(splitLines(doc.text)[position.line]?.text ?? '').value;
}

function relationDomain(
  kb: Kb,
  doc: DocumentRef,
  position: Position,
  path: ReadonlyArray<string | number>,
): string | undefined {
  if (doc.kind === 'kb') return kbFactDomain(kb, path);
  return instanceRelationDomain(kb, valueAt(doc, position), path);
}

/** The KB declaration named by the string under the cursor, preferring what the slot expects. */
function lookup(kb: Kb, name: string, slot: NameSlot) {
  const order: NameSlot[] = slot ? [slot, 'relation', 'entity', 'type'] : ['relation', 'entity', 'type'];
  for (const s of order) {
    if (s === 'relation' && kb.relations.has(name)) return { slot: s, relation: kb.relations.get(name) };
    if (s === 'entity' && kb.resolve(name)) return { slot: s, entity: kb.resolve(name) };
    if (s === 'type' && kb.types.has(name)) return { slot: s, type: kb.types.get(name) };
  }
  return undefined;
}

export function hover(
  kb: Kb | undefined,
  doc: DocumentRef,
  position: Position,
): { markdown: string; range: Range } | undefined {
  if (!kb) return undefined;
  const { ctx, slot } = slotAt(doc, position);
  if (!ctx.string) return undefined;
  const declared = doc.kind === 'kb' ? kbDeclarationSlot(ctx.path, ctx.atKey) : undefined;
  if (ctx.atKey && !(declared ?? slot)) return undefined; // a field name such as "domain" names nothing
  const hit = lookup(kb, ctx.string.value, declared ?? slot);
  if (!hit) return undefined;
  const markdown = hit.relation
    ? relationHover(hit.relation)
    : hit.entity
      ? entityHover(kb, hit.entity)
      : hit.type
        ? typeHover(kb, hit.type)
        : undefined;
  return markdown ? { markdown, range: ctx.string.range } : undefined;
}

export function definition(kb: Kb | undefined, doc: DocumentRef, position: Position): Decl | undefined {
  if (!kb) return undefined;
  const { ctx, slot } = slotAt(doc, position);
  if (!ctx.string) return undefined;
  const hit = lookup(kb, ctx.string.value, slot);
  return hit?.relation?.decl ?? hit?.entity?.decl ?? hit?.type?.decl;
}

function symbol(
  name: string,
  detail: string,
  kind: SymbolKind,
  range: Range,
  children?: DocumentSymbol[],
): DocumentSymbol {
  return {
    name: name || '(unnamed)',
    detail,
    kind,
    range,
    selectionRange: range,
    ...(children ? { children } : {}),
  };
}

/** One symbol per instance (ripple lines, RippleEdits records), per declaration (KB), or the spec itself. */
export function documentSymbols(kb: Kb | undefined, doc: DocumentRef): DocumentSymbol[] {
  if (doc.kind === 'ripple') {
    const out: DocumentSymbol[] = [];
    for (const l of splitLines(doc.text)) {
      if (l.text.trim() === '') continue;
      const v = new JsonDoc(l.text).value as { id?: unknown; subject?: unknown } | undefined;
      const range = {
        start: { line: l.index, character: 0 },
        end: { line: l.index, character: l.text.length },
      };
      const name = typeof v?.id === 'string' ? v.id : `line ${l.index + 1}`;
      out.push(symbol(name, typeof v?.subject === 'string' ? v.subject : '', SymbolKind.Object, range));
    }
    return out;
  }
  const parsed = new JsonDoc(doc.text);
  if (!parsed.ok) return [];
  if (doc.kind === 'kb') {
    if (!kb) return [];
    const mine = <T extends { decl: Decl }>(xs: Iterable<T>) =>
      [...xs].filter((x) => x.decl.path === doc.path);
    return [
      ...mine(kb.types.values()).map((t) => symbol(t.name, 'type', SymbolKind.Class, t.decl.range)),
      ...mine(kb.relations.values()).map((r) =>
        symbol(r.name, relationSignature(r), SymbolKind.Property, r.decl.range),
      ),
      ...mine(kb.entities.values()).map((e) => symbol(e.name, e.type, SymbolKind.Object, e.decl.range)),
    ];
  }
  if (doc.kind === 'edit') {
    const v = parsed.value as { subject?: unknown } | null;
    const [range] = parsed.resolve([{ path: [], part: 'value' }]);
    return range
      ? [
          symbol(
            typeof v?.subject === 'string' ? v.subject : basename(doc.path),
            'edit spec',
            SymbolKind.Object,
            range,
          ),
        ]
      : [];
  }
  if (!Array.isArray(parsed.value)) return [];
  const records = parsed.value as Array<{ edit?: { prompt?: unknown } } | null>;
  const ranges = parsed.resolve(records.map((_, i) => ({ path: [i], part: 'value' as const })));
  return records.map((r, i) =>
    symbol(
      `record ${i}`,
      typeof r?.edit?.prompt === 'string' ? r.edit.prompt : '',
      SymbolKind.Object,
      ranges[i] as Range,
    ),
  );
}
