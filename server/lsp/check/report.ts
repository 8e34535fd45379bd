// Diagnostics before they have ranges: rules point at JSON paths (Loc), and one pass per document
// resolves every path to a range. Keeps rules free of offset arithmetic and lets huge files resolve once.
import type { JsonDoc, Loc } from '../../dataset/json';
import type { Diagnostic, Range, Severity } from './types';

export type Where = Loc | { readonly range: Range };

export interface PendingEdit {
  readonly at: Where;
  readonly newText: string;
  /** replace the located text (default), or insert right after / before it. */
  readonly mode?: 'replace' | 'after' | 'before';
}

export interface PendingFix {
  readonly title: string;
  readonly edits: readonly PendingEdit[];
}

export interface Pending {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly at: Where;
  readonly fixes?: readonly PendingFix[];
}

function isLoc(w: Where): w is Loc {
  return 'path' in w;
}

/** Resolves every location of `pending` against `doc` in one pass. */
export function resolvePending(doc: JsonDoc | undefined, pending: readonly Pending[]): Diagnostic[] {
  if (pending.length === 0) return [];
  const locs: Loc[] = [];
  const collect = (w: Where) => {
    if (isLoc(w)) locs.push(w);
  };
  for (const p of pending) {
    collect(p.at);
    for (const f of p.fixes ?? []) for (const e of f.edits) collect(e.at);
  }
  const ranges = doc && locs.length > 0 ? doc.resolve(locs) : [];
  let i = 0;
  const zero: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const take = (w: Where): Range => (isLoc(w) ? (ranges[i++] ?? zero) : w.range);
  return pending.map((p) => {
    const range = take(p.at);
    const fixes = p.fixes?.map((f) => ({
      title: f.title,
      edits: f.edits.map((e) => {
        const r = take(e.at);
        const at =
          e.mode === 'after'
            ? { start: r.end, end: r.end }
            : e.mode === 'before'
              ? { start: r.start, end: r.start }
              : r;
        return { range: at, newText: e.newText };
      }),
    }));
    return {
      severity: p.severity,
      code: p.code,
      message: p.message,
      range,
      ...(fixes && fixes.length > 0 ? { fixes } : {}),
    };
  });
}
