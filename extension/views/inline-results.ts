// What the dataset and spec editors show after an edit: a ✓/✗ after each question (with the after-answer
// when wrong) and its hover, the CodeLens line over each instance, and which results a text change makes
// stale. Plain data; extension/inline-results.ts turns these into decorations. Must not import `vscode`.
import type { DiffRow } from '../../webviews/diff/messages';
import type { LocatedInstance, LocatedQuestion } from './question-locations';

/** `InlineResult.character` for "after the last character of the line". */
export const END_OF_LINE = -1;

export interface InlineResult {
  /** Where the text goes: after the question's object on a shared line, else END_OF_LINE. */
  readonly line: number;
  readonly character: number;
  readonly ok: boolean | null;
  readonly text: string;
  readonly hover: string;
}

function md(s: string | null): string {
  return s === null ? '—' : `\`${s.replaceAll('`', "'")}\``;
}

function verdict(v: boolean | null): string {
  return v === null ? 'not scored' : v ? 'right' : 'wrong';
}

/** The inline text of one row: `✓` when right after the edit, `✗ <answer>` when wrong. */
export function inlineText(row: DiffRow): string {
  if (row.correctAfter === null) return `? ${row.after}`;
  return row.correctAfter ? '✓' : `✗ ${row.after}`;
}

export function hoverText(row: DiffRow, method: string): string {
  const lp = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  return [
    `**PropMEND ${method}** · ${row.group} · ${row.change}`,
    '',
    `gold ${md(row.gold)}`,
    '',
    `before ${md(row.before)} (${verdict(row.correctBefore)}) → after ${md(row.after)} (${verdict(row.correctAfter)})`,
    '',
    `gold log-prob ${lp(row.logprobBefore)} → ${lp(row.logprobAfter)}`,
  ].join('\n');
}

/**
 * One result per row that has a location in this file. In a dataset every question of an instance shares
 * one line, so the text goes right after the question's object; in an edit spec at the end of its line.
 */
export function inlineResults(
  rows: readonly DiffRow[],
  file: string,
  method: string,
  questions: readonly LocatedQuestion[] = [],
): InlineResult[] {
  const sharedLine = file.endsWith('.ripple.jsonl');
  return rows
    .filter((r) => r.location?.file === file)
    .map((r) => {
      const line = r.location?.line ?? 0;
      const q = questions.find((x) => x.line === line && x.character === r.location?.character);
      return {
        line,
        character: sharedLine && q ? q.endCharacter : END_OF_LINE,
        ok: r.correctAfter,
        text: inlineText(r),
        hover: hoverText(r, method),
      };
    });
}

/** A text change: lines `startLine..endLine` (0-based, inclusive) were replaced by `newLines` lines. */
export interface LineChange {
  readonly startLine: number;
  readonly endLine: number;
  readonly newLines: number;
}

/**
 * Results left after an edit of the text: those on changed lines are dropped (they describe text that is
 * gone), those below move with the lines.
 */
export function afterChange<T extends { readonly line: number }>(
  results: readonly T[],
  change: LineChange,
): T[] {
  const shift = change.newLines - (change.endLine - change.startLine + 1);
  const out: T[] = [];
  for (const r of results) {
    if (r.line < change.startLine) out.push(r);
    else if (r.line > change.endLine) out.push({ ...r, line: r.line + shift });
  }
  return out;
}

export interface Lens {
  readonly line: number;
  readonly title: string;
  readonly command: string;
  readonly tooltip: string;
}

/** `Apply edit · Evaluate · Show diff` over each instance (the diff only when this instance has one). */
export function instanceLenses(
  instances: readonly LocatedInstance[],
  withDiff: (line: number) => boolean,
): Lens[] {
  const out: Lens[] = [];
  for (const inst of instances) {
    const name = inst.id ?? `line ${inst.line + 1}`;
    out.push(
      {
        line: inst.line,
        title: 'Apply edit',
        command: 'propmend.applyEdit',
        tooltip: `Apply the edit of ${name}`,
      },
      {
        line: inst.line,
        title: 'Evaluate',
        command: 'propmend.evaluateInstance',
        tooltip: `Evaluate ${name}`,
      },
    );
    if (withDiff(inst.line))
      out.push({
        line: inst.line,
        title: 'Show diff',
        command: 'propmend.showDiff',
        tooltip: `Show the propagation diff of ${name}`,
      });
  }
  return out;
}
