// The edit-spec form's intents as minimal text edits: set or remove one value, add, remove or swap a row,
// computed with jsonc-parser's `modify` so everything else in the text (formatting, key order, comments)
// stays as written. Text in, offset edits out; the custom editor turns them into one WorkspaceEdit.
// Plain data; must not import `vscode`. Never edits a text that does not parse.
import {
  applyEdits,
  type Edit,
  type FormattingOptions,
  modify,
  type Node,
} from 'jsonc-parser/lib/esm/main.js';
import type { FromSpecForm, JsonValue, RowList } from '../../webviews/spec-form/messages';
import { parseSpec } from './spec-form';

export type { Edit };

export type EditsResult =
  | { readonly ok: true; readonly edits: readonly Edit[] }
  | { readonly ok: false; readonly reason: string };

/** The text's own indentation and line ends, so inserted JSON looks like the rest of the file. */
export function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /\n([ \t]+)\S/.exec(text)?.[1];
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: indented ? Math.min(indented.length, 8) : 2, eol };
}

/** Arrays of plain values stay on one line (`["a", "b"]`), as the examples write them. */
function compactText(value: JsonValue): string | undefined {
  if (!Array.isArray(value)) return undefined;
  if (value.some((v) => v !== null && typeof v === 'object')) return undefined;
  return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
}

const SENTINEL = '__propmend_form_value__';

/** The edits that set `path` to `value` (undefined removes it), creating missing parents. */
function setEdits(text: string, path: ReadonlyArray<string | number>, value: JsonValue | undefined): Edit[] {
  const formattingOptions = formattingOf(text);
  const compact = value === undefined ? undefined : compactText(value);
  if (compact === undefined) return modify(text, [...path], value, { formattingOptions });
  const edits = modify(text, [...path], SENTINEL, { formattingOptions });
  return edits.map((e) => ({ ...e, content: e.content.replace(JSON.stringify(SENTINEL), compact) }));
}

/** A new row: the spec's subject prefilled in a triple, empty texts elsewhere (the checker points at them). */
function newRow(list: RowList, subject: string): JsonValue {
  if (list === 'triples') return { subject, relation: '', object: '' };
  if (list === 'propagation') return { question: '', answer: '' };
  return { question: '' };
}

function listNode(root: Node, list: RowList): Node | undefined {
  const prop = root.children?.find((p) => p.children?.[0]?.value === list);
  return prop?.children?.[1];
}

/** The edits for one intent of the form; anything that cannot apply cleanly is a reason, never a guess. */
export function intentEdits(text: string, intent: FromSpecForm): EditsResult {
  const parsed = parseSpec(text);
  if (!parsed.root || !parsed.values)
    return {
      ok: false,
      reason: `the spec is not valid JSON (${parsed.parseError?.message}); fix it as text`,
    };
  try {
    switch (intent.type) {
      case 'set':
        return { ok: true, edits: setEdits(text, intent.path, intent.value) };
      case 'addRow': {
        const node = listNode(parsed.root, intent.list);
        const row = newRow(intent.list, parsed.values.subject);
        if (node && node.type !== 'array')
          return { ok: false, reason: `"${intent.list}" is not a list; fix it as text` };
        const edits = node
          ? modify(text, [intent.list, -1], row, {
              formattingOptions: formattingOf(text),
              isArrayInsertion: true,
            })
          : setEdits(text, [intent.list], [row]);
        return { ok: true, edits };
      }
      case 'removeRow': {
        const node = listNode(parsed.root, intent.list);
        if (node?.type !== 'array' || !node.children?.[intent.index])
          return { ok: false, reason: `"${intent.list}" has no row ${intent.index + 1}` };
        return { ok: true, edits: setEdits(text, [intent.list, intent.index], undefined) };
      }
      case 'moveRow': {
        const node = listNode(parsed.root, intent.list);
        const a = node?.children?.[intent.index];
        const b = node?.children?.[intent.index + intent.by];
        if (node?.type !== 'array' || !a || !b)
          return { ok: false, reason: `row ${intent.index + 1} of "${intent.list}" cannot move that way` };
        // Swap the two rows' texts: each keeps its own formatting, nothing else in the list changes.
        const [first, second] = a.offset < b.offset ? [a, b] : [b, a];
        const firstText = text.slice(first.offset, first.offset + first.length);
        const secondText = text.slice(second.offset, second.offset + second.length);
        return {
          ok: true,
          edits: [
            { offset: first.offset, length: first.length, content: secondText },
            { offset: second.offset, length: second.length, content: firstText },
          ],
        };
      }
      default:
        return { ok: false, reason: `"${intent.type}" is not a text edit` };
    }
  } catch (error) {
    // jsonc-parser refuses paths through values of another type (a string where a list is expected).
    return { ok: false, reason: `${(error as Error).message}; fix it as text` };
  }
}

/** Applies offset edits (jsonc-parser's order rules) to a text. */
export function applyTextEdits(text: string, edits: readonly Edit[]): string {
  return applyEdits(text, [...edits]);
}

/** The edits that undo `edits` on the text they produce (what the editor's undo stack records). */
export function inverseEdits(original: string, edits: readonly Edit[]): Edit[] {
  const sorted = [...edits].sort((x, y) => x.offset - y.offset);
  const inverse: Edit[] = [];
  let shift = 0;
  for (const e of sorted) {
    inverse.push({
      offset: e.offset + shift,
      length: e.content.length,
      content: original.slice(e.offset, e.offset + e.length),
    });
    shift += e.content.length - e.length;
  }
  return inverse;
}
