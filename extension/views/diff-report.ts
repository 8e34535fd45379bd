// The propagation diff report from one applied edit: a row per question (before → after, gold, correctness,
// gold log-probability) matched to the question's place in its file, and the right-answer counts per group.
// Plain data from the protocol's records; must not import `vscode`.
import type { ApplyEditResult, QuestionRecord } from '../../server/protocol';
import type {
  Change,
  DiffGroup,
  DiffReport,
  DiffRow,
  GroupScore,
  SourceLocation,
} from '../../webviews/diff/messages';
import { DIFF_GROUPS } from '../../webviews/diff/messages';
import type { LocatedInstance, LocatedQuestion } from './question-locations';

/** The runtime spells the middle group `nonverbatim`; the dataset model and the views `non-verbatim`. */
export function groupOf(kind: QuestionRecord['kind']): DiffGroup {
  return kind === 'nonverbatim' ? 'non-verbatim' : kind;
}

export function changeOf(before: boolean | null, after: boolean | null): Change {
  if (before === null || after === null) return 'unscored';
  if (before === after) return after ? 'still-right' : 'still-wrong';
  return after ? 'fixed' : 'broken';
}

/**
 * Pairs each record with a located question: the first unused one of the same group and text, else the
 * first unused one of the same group (the runtime may word a question from a template), else none.
 */
export function matchQuestions(
  records: readonly QuestionRecord[],
  located: readonly LocatedQuestion[],
): Array<LocatedQuestion | undefined> {
  const used = new Set<LocatedQuestion>();
  const take = (q: LocatedQuestion | undefined) => {
    if (q) used.add(q);
    return q;
  };
  const exact = records.map((r) =>
    take(located.find((q) => !used.has(q) && q.group === groupOf(r.kind) && q.question === r.question)),
  );
  return records.map(
    (r, i) => exact[i] ?? take(located.find((q) => !used.has(q) && q.group === groupOf(r.kind))),
  );
}

export function buildDiffReport(
  result: ApplyEditResult,
  source: { readonly file: string; readonly label: string; readonly instance?: LocatedInstance },
): DiffReport {
  const records = result.report.questions;
  const places = matchQuestions(records, source.instance?.questions ?? []);
  const counters = new Map<DiffGroup, number>();
  const rows = records.map((r, i): DiffRow => {
    const group = groupOf(r.kind);
    const n = (counters.get(group) ?? 0) + 1;
    counters.set(group, n);
    const place = places[i];
    const location: SourceLocation | null = place
      ? { file: source.file, line: place.line, character: place.character }
      : null;
    return {
      id: `${group}-${n}`,
      group,
      question: r.question,
      gold: r.gold,
      before: r.before,
      after: r.after,
      correctBefore: r.correct_before,
      correctAfter: r.correct_after,
      logprobBefore: r.logprob_before,
      logprobAfter: r.logprob_after,
      change: changeOf(r.correct_before, r.correct_after),
      location,
    };
  });
  const scores: GroupScore[] = DIFF_GROUPS.map((group) => {
    const mine = rows.filter((r) => r.group === group);
    return {
      group,
      total: mine.length,
      rightBefore: mine.filter((r) => r.correctBefore === true).length,
      rightAfter: mine.filter((r) => r.correctAfter === true).length,
    };
  });
  return {
    fact: result.report.fact,
    method: result.report.method,
    source: source.label,
    patchId: result.patch.id,
    rows,
    scores,
    timingsMs: result.report.timings_ms,
    elapsedMs: result.elapsed_ms,
  };
}
