// The checking engine: checks one file of any kind against its environment (KB, tokenizer, sibling splits)
// and returns plain diagnostics. Keeps the last parsed version of each *.ripple.jsonl file and rebuilds it with
// rows.ts, so re-checking after an edit only re-parses changed lines (the language server and the benchmark use this).
import { basename, dirname, join, resolve } from 'node:path';
import { pushAll } from '../../common/arrays';
import { shippedAssets } from '../../common/paths';
import { readEditSpec } from '../../dataset/edit-spec';
import { type Instance, readInstance } from '../../dataset/instance';
import { JsonDoc } from '../../dataset/json';
import { detectKind, kindFromName } from '../../dataset/kind';
import { type Row, rowText, updateRows } from '../../dataset/rows';
import { type Split, splitFromFileName } from '../../dataset/splits';
import { duplicateKeyDiagnostics } from '../diagnostics/duplicate-key';
import { RULES } from '../diagnostics/index';
import { internalErrorDiagnostic } from '../diagnostics/internal-error';
import { syntaxDiagnostics } from '../diagnostics/json-syntax';
import { confineSpecPaths } from '../diagnostics/outside-root';
import type { DatasetFile, DatasetInstance, Emit, InstanceContext, TokenBudget } from '../diagnostics/rule';
import { schemaDiagnostics } from '../diagnostics/schema';
import { tooManyDiagnostic } from '../diagnostics/too-many';
import { unreadableDiagnostic } from '../diagnostics/unreadable-file';
import { Environment } from './environment';
import { type Pending, resolvePending } from './report';
import type { FileSource } from './source';
import {
  type CheckSettings,
  compareRanges,
  type Diagnostic,
  type FileKind,
  type FileReport,
  MAX_DIAGNOSTICS_PER_FILE,
  shiftDiagnostic,
} from './types';

interface LineEntry {
  readonly text: string;
  /** Syntax, schema and duplicate-key diagnostics, at line 0. */
  readonly base: readonly Diagnostic[];
  readonly instance?: Instance;
  /** Instance-rule diagnostics at line 0, valid for the environment `key`. */
  sem?: { readonly key: string; readonly diags: readonly Diagnostic[] };
}

/** An instance as the dataset rules see it, remembering the line entry it came from. */
interface Item extends DatasetInstance {
  readonly entry: LineEntry;
}

/** One parsed version of a *.ripple.jsonl file; reused while the file's text is the same. */
interface RippleFile {
  readonly path: string;
  readonly text: string;
  /** Every physical line; blank lines have no entry. */
  readonly rows: readonly Row<LineEntry | undefined>[];
  readonly lines: ReadonlyArray<{ readonly line: number; readonly entry: LineEntry }>;
  readonly dataset: DatasetFile & { readonly instances: readonly Item[] };
}

/** Dataset-rule results for every file of one folder, valid while its files and KB stay the same. */
interface DatasetResult {
  readonly files: readonly RippleFile[];
  readonly kb: InstanceContext['kb'];
  readonly byPath: ReadonlyMap<string, readonly Diagnostic[]>;
}

export interface SessionOptions {
  readonly source: FileSource;
  readonly settings?: CheckSettings;
  /** Where the search for *.kb.json stops (the workspace root); default: the filesystem root. */
  readonly root?: string;
  /**
   * Folders an edit spec's paths may point into besides the spec's own folder (the CLI's checked paths and
   * flags); the workspace `root` is always one.
   */
  readonly roots?: readonly string[];
}

function collector(out: Pending[], code: string, severity: Pending['severity']): Emit {
  return (at, message, options) =>
    out.push({
      severity: options?.severity ?? severity,
      code,
      message,
      at,
      ...(options?.fixes ? { fixes: options.fixes } : {}),
    });
}

/** Runs every rule's instance scope on one instance. */
function instanceRules(inst: Instance, ctx: InstanceContext): Pending[] {
  const out: Pending[] = [];
  for (const rule of RULES) {
    if (!rule.instance || (rule.needsKb && !ctx.kb)) continue;
    rule.instance(inst, ctx, collector(out, rule.code, rule.severity));
  }
  return out;
}

/** Sorts and caps a file's diagnostics. */
export function finish(diags: Diagnostic[]): Diagnostic[] {
  diags.sort((a, b) => compareRanges(a.range, b.range) || a.code.localeCompare(b.code));
  if (diags.length <= MAX_DIAGNOSTICS_PER_FILE) return diags;
  const kept = diags.slice(0, MAX_DIAGNOSTICS_PER_FILE);
  kept.push(
    tooManyDiagnostic(
      MAX_DIAGNOSTICS_PER_FILE,
      diags.length - MAX_DIAGNOSTICS_PER_FILE,
      kept[kept.length - 1] as Diagnostic,
    ),
  );
  return kept;
}

/**
 * An edit spec that names no model is for the shipped model (the one `propmend edit` then loads), and one
 * that names neither a model nor a KB is about the shipped world, so it is checked against that world's KB.
 * Defaults are absolute paths into the package; fields the user wrote (even ones refused as outside the
 * roots) are never replaced.
 */
export function withShippedDefaults(
  value: Record<string, unknown>,
  written: Record<string, unknown>,
): Record<string, unknown> {
  if (written.model !== undefined) return value;
  const shipped = shippedAssets();
  return {
    ...value,
    model: shipped.model,
    ...(written.kb === undefined ? { kb: join(shipped.world, 'world.kb.json') } : {}),
  };
}

export class CheckSession {
  readonly env: Environment;
  private settings: CheckSettings;
  private readonly rippleFiles = new Map<string, RippleFile>();
  private readonly datasets = new Map<string, DatasetResult>();

  constructor(readonly options: SessionOptions) {
    this.settings = options.settings ?? {};
    this.env = new Environment(options.source, options.root, this.specRoots());
  }

  get source(): FileSource {
    return this.options.source;
  }

  /** Roots an edit spec's paths may resolve into (besides its own folder). */
  private specRoots(): string[] {
    const roots = [...(this.options.roots ?? [])];
    if (this.options.root !== undefined) roots.push(resolve(this.options.root));
    return roots;
  }

  setSettings(settings: CheckSettings): void {
    this.settings = settings;
  }

  /** The kind of a file, from its name or (for other .json files) its first bytes. */
  kindOf(path: string, text?: string): FileKind | undefined {
    return detectKind(path, text ?? this.source.readText(path)?.slice(0, 4096));
  }

  /** Checks one file; `text` overrides the file's content (an unsaved editor buffer). */
  async check(path: string, opts: { text?: string; kind?: FileKind } = {}): Promise<FileReport> {
    const abs = resolve(path);
    let text = opts.text;
    if (text === undefined) {
      let read: ReturnType<FileSource['read']>;
      try {
        read = this.source.read(abs);
      } catch (error) {
        return {
          path: abs,
          kind: opts.kind ?? kindFromName(abs) ?? 'ripple',
          diagnostics: [internalErrorDiagnostic(error)],
        };
      }
      if (!read.ok) {
        const kind = opts.kind ?? kindFromName(abs) ?? 'ripple';
        return { path: abs, kind, diagnostics: [unreadableDiagnostic(read.message)] };
      }
      text = read.text;
    }
    const kind = opts.kind ?? this.kindOf(abs, text) ?? 'ripple';
    let diagnostics: Diagnostic[];
    try {
      if (kind === 'ripple') diagnostics = await this.checkRipple(abs, text);
      else if (kind === 'kb') diagnostics = this.checkKb(abs, text);
      else if (kind === 'edit') diagnostics = await this.checkEdit(abs, text);
      else diagnostics = this.checkRippleEdits(abs, text);
    } catch (error) {
      // A bug in the checker stays with this file: its report says so, every other file is checked as usual.
      this.rippleFiles.delete(abs);
      diagnostics = [internalErrorDiagnostic(error)];
    }
    return { path: abs, kind, diagnostics: finish(diagnostics) };
  }

  // --- *.ripple.jsonl -------------------------------------------------------------------------------

  private lineEntry(text: string, defaultSplit: Split | undefined): LineEntry {
    const doc = new JsonDoc(text);
    const pending: Pending[] = [];
    let instance: Instance | undefined;
    if (!doc.ok) pushAll(pending, syntaxDiagnostics(doc, ' on this line'));
    else {
      pushAll(pending, schemaDiagnostics('ripple', doc.value, 'value'));
      pushAll(pending, duplicateKeyDiagnostics(doc));
      instance = readInstance(doc.value, defaultSplit);
    }
    return { text, base: resolvePending(doc, pending), ...(instance ? { instance } : {}) };
  }

  /** Parses a JSONL text into per-line entries, reusing unchanged rows and lines seen before. */
  private rippleFile(path: string, text: string): RippleFile {
    const parsed = this.rippleFiles.get(path);
    if (parsed && parsed.text === text) return parsed;
    const defaultSplit = splitFromFileName(basename(path));
    const rows = updateRows(parsed, text, (raw) => {
      const line = rowText(raw);
      return line.trim() === '' ? undefined : this.lineEntry(line, defaultSplit);
    });
    const lines: Array<{ line: number; entry: LineEntry }> = [];
    const instances: Item[] = [];
    for (let i = 0; i < rows.length; i++) {
      const entry = (rows[i] as Row<LineEntry | undefined>).value;
      if (!entry) continue;
      lines.push({ line: i, entry });
      if (entry.instance) instances.push({ line: i, instance: entry.instance, entry });
    }
    const file: RippleFile = { path, text, rows, lines, dataset: { path, name: basename(path), instances } };
    this.rippleFiles.set(path, file);
    return file;
  }

  private async checkRipple(path: string, text: string): Promise<Diagnostic[]> {
    const { kb, notes: kbNotes } = this.env.kbFor(path, this.settings.kb);
    const tokens = await this.env.budget(this.settings, this.settings.tokenizer);
    const key = `${kb?.version ?? 'none'}|${tokens.key}`;
    const ctx: InstanceContext = {
      kind: 'ripple',
      ...(kb ? { kb } : {}),
      ...(tokens.budget ? { tokens: tokens.budget } : {}),
    };
    const file = this.rippleFile(path, text);
    const out: Diagnostic[] = [...resolvePending(undefined, [...kbNotes, ...tokens.notes])];
    for (const { line, entry } of file.lines) {
      for (const d of entry.base) out.push(shiftDiagnostic(d, line));
      if (!entry.instance) continue;
      if (entry.sem?.key !== key) {
        const pending = instanceRules(entry.instance, ctx);
        entry.sem = {
          key,
          diags: pending.length > 0 ? resolvePending(new JsonDoc(entry.text), pending) : [],
        };
      }
      for (const d of entry.sem.diags) out.push(shiftDiagnostic(d, line));
    }
    pushAll(out, this.datasetDiagnostics(file, kb));
    return out;
  }

  /** Cross-file rules over the *.ripple.jsonl files of the folder, reported for `file` only. */
  private datasetDiagnostics(file: RippleFile, kb: InstanceContext['kb']): readonly Diagnostic[] {
    const dir = dirname(file.path);
    const names = (this.source.listDir(dir) ?? []).filter((n) => n.endsWith('.ripple.jsonl'));
    if (!names.includes(basename(file.path))) names.push(basename(file.path));
    names.sort();
    const files: RippleFile[] = [];
    for (const name of names) {
      const path = join(dir, name);
      const rf = path === file.path ? file : this.siblingFile(path);
      if (rf) files.push(rf);
    }
    const cached = this.datasets.get(dir);
    const same =
      cached !== undefined &&
      cached.kb === kb &&
      cached.files.length === files.length &&
      cached.files.every((f, i) => f === files[i]);
    if (same) return cached.byPath.get(file.path) ?? [];
    const result = this.runDatasetRules(files, kb);
    this.datasets.set(dir, result);
    return result.byPath.get(file.path) ?? [];
  }

  /** Runs the dataset rules once over all files of a folder and keeps every file's findings. */
  private runDatasetRules(files: readonly RippleFile[], kb: InstanceContext['kb']): DatasetResult {
    const found = new Map<Item, { path: string; pending: Pending[] }>();
    const ctx = { files: files.map((f) => f.dataset), ...(kb ? { kb } : {}) };
    for (const rule of RULES) {
      if (!rule.dataset || (rule.needsKb && !kb)) continue;
      rule.dataset(ctx, (file, item, at, message, options) => {
        const key = item as Item;
        let hit = found.get(key);
        if (!hit) {
          hit = { path: file.path, pending: [] };
          found.set(key, hit);
        }
        collector(hit.pending, rule.code, rule.severity)(at, message, options);
      });
    }
    const byPath = new Map<string, Diagnostic[]>();
    for (const [item, { path, pending }] of found) {
      const list = byPath.get(path) ?? [];
      for (const d of resolvePending(new JsonDoc(item.entry.text), pending))
        list.push(shiftDiagnostic(d, item.line));
      byPath.set(path, list);
    }
    return { files, kb, byPath };
  }

  /** A sibling split for the cross-file rules; one that cannot be read or parsed is left out (its own check says why). */
  private siblingFile(path: string): RippleFile | undefined {
    const text = this.source.readText(path);
    if (text === undefined) return undefined;
    try {
      return this.rippleFile(path, text);
    } catch {
      return undefined;
    }
  }

  // --- *.kb.json -------------------------------------------------------------------------------------

  private checkKb(path: string, text: string): Diagnostic[] {
    const doc = this.env.doc(path, text);
    if (!doc.ok) return resolvePending(doc, syntaxDiagnostics(doc, ''));
    const pending: Pending[] = [
      ...schemaDiagnostics('kb', doc.value, 'start'),
      ...duplicateKeyDiagnostics(doc),
    ];
    const siblings = this.env.nearestKbFiles(dirname(path)).filter((f) => f !== path);
    // Sorted, so a name declared in two files is reported in the later one, whichever file is checked.
    const { kb } = this.env.kbOf([path, ...siblings].sort(), new Map([[path, text]]));
    if (kb) {
      for (const rule of RULES) {
        rule.kb?.({ path, value: doc.value, kb }, collector(pending, rule.code, rule.severity));
      }
    }
    return resolvePending(doc, pending);
  }

  // --- *.edit.json -----------------------------------------------------------------------------------

  private async checkEdit(path: string, text: string): Promise<Diagnostic[]> {
    const doc = this.env.doc(path, text);
    if (!doc.ok) return resolvePending(doc, syntaxDiagnostics(doc, ''));
    const pending: Pending[] = [
      ...schemaDiagnostics('edit', doc.value, 'start'),
      ...duplicateKeyDiagnostics(doc),
    ];
    const written = (
      doc.value !== null && typeof doc.value === 'object' && !Array.isArray(doc.value) ? doc.value : {}
    ) as Record<string, unknown>;
    // Paths pointing outside the allowed roots are reported and then treated as absent: never read.
    const confined = confineSpecPaths(written, path, this.specRoots());
    pushAll(pending, confined.pending);
    const value = withShippedDefaults(confined.value, written);
    const dir = dirname(path);
    const rel = (v: unknown) => (typeof v === 'string' && v !== '' ? resolve(dir, v) : undefined);
    // A spec naming a missing KB gets missing-file at its `kb` field; no second note on line 1.
    const specKb = rel(value.kb);
    const explicit = this.settings.kb ?? specKb;
    const skipKb = explicit === specKb && specKb !== undefined && !this.source.exists(specKb);
    const { kb, notes } = skipKb ? { kb: undefined, notes: [] } : this.env.kbFor(path, explicit);
    pushAll(pending, notes);
    const model = rel(value.model);
    const modelTokenizer = model && this.source.exists(join(model, 'tokenizer.json')) ? model : undefined;
    const spec = readEditSpec(value);
    const tokens = await this.env.budget(this.settings, this.settings.tokenizer ?? modelTokenizer, {
      ...(spec.maxNewTokens !== undefined ? { maxNewTokens: spec.maxNewTokens } : {}),
      ...(spec.promptTemplate !== undefined ? { promptTemplate: spec.promptTemplate } : {}),
    });
    pushAll(pending, tokens.notes);
    const inst = spec.instance;
    if (inst) {
      const ctx: InstanceContext = {
        kind: 'edit',
        ...(kb ? { kb } : {}),
        ...(tokens.budget ? { tokens: tokens.budget as TokenBudget } : {}),
      };
      pushAll(pending, instanceRules(inst, ctx));
    }
    const editCtx = {
      value,
      resolve: (p: string) => resolve(dir, p),
      exists: (p: string) => this.source.exists(p),
      readJson: (p: string) => {
        const t = this.source.readText(p);
        if (t === undefined) return undefined;
        const d = new JsonDoc(t);
        return d.ok ? d.value : undefined;
      },
    };
    for (const rule of RULES) rule.edit?.(editCtx, collector(pending, rule.code, rule.severity));
    return resolvePending(doc, pending);
  }

  // --- RippleEdits benchmark JSON ----------------------------------------------------------------------

  private checkRippleEdits(path: string, text: string): Diagnostic[] {
    const doc = this.env.doc(path, text);
    if (!doc.ok) return resolvePending(doc, syntaxDiagnostics(doc, ''));
    const pending: Pending[] = [
      ...schemaDiagnostics('rippleedits', doc.value, 'start'),
      ...duplicateKeyDiagnostics(doc),
    ];
    for (const rule of RULES) rule.rippleedits?.(doc.value, collector(pending, rule.code, rule.severity));
    return resolvePending(doc, pending);
  }
}
