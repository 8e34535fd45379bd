// What a file is checked against: the KB (the setting, an edit spec's `kb`, else the *.kb.json files of
// the nearest folder that has any) and the token budget. Caches parsed KB files by their text.
// Problems with the environment itself become one diagnostic on line 1, never an exception.
import { dirname, join, resolve } from 'node:path';
import { JsonDoc } from '../../dataset/json';
import { buildKb, type Kb } from '../../dataset/kb';
import { noKbDiagnostic } from '../diagnostics/no-kb';
import type { TokenBudget } from '../diagnostics/rule';
import { tokenizerDiagnostic } from '../diagnostics/tokenizer';
import type { Pending } from './report';
import { type FileSource, isSymlink } from './source';
import { allowedPath } from './spec-paths';
import { loadTokenizerFolder, makeBudget } from './tokens';
import { type CheckSettings, DEFAULT_MAX_NEW_TOKENS } from './types';

export interface KbResult {
  readonly kb?: Kb;
  readonly files: readonly string[];
  readonly notes: readonly Pending[];
}

const LINE_ONE = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };

function note(severity: 'warning' | 'information', code: string, message: string): Pending {
  return { severity, code, message, at: LINE_ONE };
}

export class Environment {
  private readonly docs = new Map<string, JsonDoc>();
  private readonly kbs = new Map<string, { texts: readonly string[]; kb: Kb }>();
  private version = 0;

  constructor(
    private readonly source: FileSource,
    /** Folder where the search for *.kb.json stops (the workspace root); undefined = the filesystem root. */
    private readonly root: string | undefined,
    /** Folders a KB file found by the search may link into, besides its own folder. */
    private readonly linkRoots: readonly string[] = [],
  ) {}

  /** The *.kb.json files of the nearest folder (from `dir` upwards) that contains any. */
  nearestKbFiles(dir: string): string[] {
    let current = resolve(dir);
    const stop = this.root === undefined ? undefined : resolve(this.root);
    for (;;) {
      const here = current;
      // A KB that is a link out of its folder and the roots is not read (it may point anywhere).
      const found = (this.source.listDir(here) ?? [])
        .filter((n) => n.endsWith('.kb.json'))
        .map((n) => join(here, n))
        .filter((f) => !isSymlink(f) || allowedPath(f, [here, ...this.linkRoots]));
      if (found.length > 0) return found;
      const parent = dirname(current);
      if (current === stop || parent === current) return [];
      current = parent;
    }
  }

  /** A parsed file, reused while its text is unchanged. */
  doc(path: string, text: string): JsonDoc {
    const hit = this.docs.get(path);
    if (hit && hit.text === text) return hit;
    const doc = new JsonDoc(text);
    this.docs.set(path, doc);
    return doc;
  }

  /** The union KB of `files` (texts from `overrides` first), cached until one of the texts changes. */
  kbOf(files: readonly string[], overrides: ReadonlyMap<string, string> = new Map()): KbResult {
    const notes: Pending[] = [];
    const texts: string[] = [];
    const present: string[] = [];
    for (const f of files) {
      const read = overrides.has(f) ? undefined : this.source.read(f);
      const text = overrides.get(f) ?? (read?.ok ? read.text : undefined);
      if (text === undefined) {
        const why = read && !read.ok ? read.message : `${f} cannot be read`;
        notes.push(note('warning', 'no-kb', `KB file ${why}; KB checks use the other KB files only`));
        continue;
      }
      texts.push(text);
      present.push(f);
    }
    if (present.length === 0) return { files, notes };
    const key = present.join('\n');
    let hit = this.kbs.get(key);
    if (!hit || hit.texts.length !== texts.length || hit.texts.some((t, i) => t !== texts[i])) {
      const sources = present.map((path, i) => ({ path, doc: this.doc(path, texts[i] as string) }));
      hit = { texts, kb: buildKb(sources, `kb${++this.version}`) };
      this.kbs.set(key, hit);
    }
    present.forEach((f, i) => {
      if (!this.doc(f, texts[i] as string).ok) {
        notes.push(
          note(
            'warning',
            'no-kb',
            `KB file ${f} has JSON syntax errors, so its declarations are ignored; fix that file`,
          ),
        );
      }
    });
    // A KB that declares nothing (every file broken) would make every name "unknown": treat it as absent.
    const k = hit.kb;
    if (k.types.size === 0 && k.relations.size === 0 && k.entities.size === 0) {
      if (notes.length === 0)
        notes.push(
          note(
            'warning',
            'no-kb',
            `KB files ${present.join(', ')} declare no types, relations or entities, so KB checks are skipped`,
          ),
        );
      return { files: present, notes };
    }
    return { kb: k, files: present, notes };
  }

  /** The KB for a dataset or edit spec at `path`; `explicit` is the setting or the spec's `kb` (absolute). */
  kbFor(path: string, explicit: string | undefined): KbResult {
    if (explicit !== undefined) {
      const read = this.source.read(explicit);
      if (!read.ok) {
        const why = read.problem === 'missing' ? `${explicit} does not exist` : read.message;
        return {
          files: [],
          notes: [
            note(
              'warning',
              'no-kb',
              `KB file ${why}, so KB checks are skipped; fix propmend.knowledgeBase (CLI: --kb)`,
            ),
          ],
        };
      }
      return this.kbOf([explicit]);
    }
    const files = this.nearestKbFiles(dirname(path));
    if (files.length === 0) return { files, notes: [noKbDiagnostic()] };
    return this.kbOf(files);
  }

  /** The token budget, or a note when the tokenizer folder cannot be loaded. */
  async budget(
    settings: CheckSettings,
    tokenizerDir: string | undefined,
    opts: { maxNewTokens?: number; promptTemplate?: string } = {},
  ): Promise<{ budget?: TokenBudget; key: string; notes: Pending[] }> {
    if (tokenizerDir === undefined) return { key: 'none', notes: [] };
    try {
      const t = await loadTokenizerFolder(tokenizerDir, this.source);
      const maxNewTokens = opts.maxNewTokens ?? settings.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
      const budget = makeBudget(t, {
        maxNewTokens,
        ...(settings.context !== undefined ? { context: settings.context } : {}),
        ...(opts.promptTemplate !== undefined ? { promptTemplate: opts.promptTemplate } : {}),
      });
      return {
        budget,
        key: `${tokenizerDir}|${maxNewTokens}|${budget.context}|${opts.promptTemplate ?? ''}`,
        notes: [],
      };
    } catch (error) {
      return { key: 'none', notes: [tokenizerDiagnostic((error as Error).message)] };
    }
  }
}
