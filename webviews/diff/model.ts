// What the propagation diff page computes from a report, without the DOM: sorting, filtering, the summary
// line, the gold probability bars and the markdown export. Shared by the page (main.ts) and the extension's
// export; pure functions over ./messages types.
import { DIFF_GROUPS, type DiffGroup, type DiffReport, type DiffRow, type GroupScore } from './messages';

export const SORT_KEYS = ['file', 'group', 'change', 'delta', 'question'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ViewState {
  readonly sort: SortKey;
  readonly descending: boolean;
  /** Groups shown; all when empty. */
  readonly groups: readonly DiffGroup[];
  /** Only rows whose answer changed correctness (fixed or broken). */
  readonly changedOnly: boolean;
  /** Case-insensitive text in the question, gold or answers. */
  readonly text: string;
}

export const DEFAULT_VIEW: ViewState = {
  sort: 'file',
  descending: false,
  groups: [],
  changedOnly: false,
  text: '',
};

const CHANGE_ORDER = { broken: 0, fixed: 1, 'still-wrong': 2, 'still-right': 3, unscored: 4 } as const;

/** Change of the gold answer's mean log-probability (after − before); null when either is missing. */
export function logprobDelta(row: DiffRow): number | null {
  return row.logprobBefore === null || row.logprobAfter === null
    ? null
    : row.logprobAfter - row.logprobBefore;
}

export function visibleRows(rows: readonly DiffRow[], view: ViewState): DiffRow[] {
  const text = view.text.trim().toLowerCase();
  const kept = rows.filter(
    (r) =>
      (view.groups.length === 0 || view.groups.includes(r.group)) &&
      (!view.changedOnly || r.change === 'fixed' || r.change === 'broken') &&
      (text === '' ||
        [r.question, r.gold ?? '', r.before, r.after].some((s) => s.toLowerCase().includes(text))),
  );
  const order = rows.map((r) => r.id);
  const cmp = (a: DiffRow, b: DiffRow): number => {
    switch (view.sort) {
      case 'group':
        return DIFF_GROUPS.indexOf(a.group) - DIFF_GROUPS.indexOf(b.group);
      case 'change':
        return CHANGE_ORDER[a.change] - CHANGE_ORDER[b.change];
      case 'delta':
        return (logprobDelta(a) ?? Number.NEGATIVE_INFINITY) - (logprobDelta(b) ?? Number.NEGATIVE_INFINITY);
      case 'question':
        return a.question.localeCompare(b.question);
      default:
        return 0;
    }
  };
  // Ties keep file order, whichever direction.
  kept.sort((a, b) => {
    const c = cmp(a, b);
    return c !== 0 ? (view.descending ? -c : c) : order.indexOf(a.id) - order.indexOf(b.id);
  });
  return kept;
}

/** The gold answer's probability, exp(mean log-probability), as a bar width in percent (0–100). */
export function barPercent(logprob: number | null): number | null {
  if (logprob === null || !Number.isFinite(logprob)) return null;
  return Math.round(Math.min(1, Math.max(0, Math.exp(logprob))) * 1000) / 10;
}

function rate(right: number, total: number): string {
  return total === 0 ? 'n/a' : `${Math.round((100 * right) / total)}%`;
}

export function scoreText(s: GroupScore): string {
  return `${s.rightBefore}/${s.total} → ${s.rightAfter}/${s.total}`;
}

/** One line: efficacy per propagation group, specificity (locality kept right) and the timings. */
export function summaryLine(report: DiffReport): string {
  const by = new Map(report.scores.map((s) => [s.group, s]));
  const parts: string[] = [];
  for (const g of ['verbatim', 'non-verbatim'] as const) {
    const s = by.get(g);
    if (s && s.total > 0) parts.push(`${g} efficacy ${rate(s.rightAfter, s.total)} (${scoreText(s)})`);
  }
  const loc = by.get('locality');
  if (loc && loc.total > 0) parts.push(`specificity ${rate(loc.rightAfter, loc.total)} (${scoreText(loc)})`);
  const t = report.timingsMs;
  parts.push(
    `capture ${Math.round(t.capture)} ms, transform ${Math.round(t.transform)} ms, answering ${Math.round(t.answering)} ms, total ${Math.round(report.elapsedMs)} ms`,
  );
  return parts.join(' · ');
}

function cell(s: string | null): string {
  return (s ?? '—').replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function mark(v: boolean | null): string {
  return v === null ? '?' : v ? '✓' : '✗';
}

function lp(v: number | null): string {
  return v === null ? '—' : v.toFixed(2);
}

/** The report as markdown: the summary and one table per group, rows in file order. */
export function reportMarkdown(report: DiffReport): string {
  const lines = [
    `# Propagation diff: ${report.fact}`,
    '',
    `method ${report.method} · source ${report.source}${report.patchId ? ` · patch ${report.patchId}` : ''}`,
    '',
    summaryLine(report),
  ];
  for (const g of DIFF_GROUPS) {
    const rows = report.rows.filter((r) => r.group === g);
    if (rows.length === 0) continue;
    lines.push(
      '',
      `## ${g}`,
      '',
      '| question | gold | before | after | gold log-prob |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const r of rows)
      lines.push(
        `| ${cell(r.question)} | ${cell(r.gold)} | ${cell(r.before)} ${mark(r.correctBefore)} | ${cell(r.after)} ${mark(r.correctAfter)} | ${lp(r.logprobBefore)} → ${lp(r.logprobAfter)} |`,
      );
  }
  return `${lines.join('\n')}\n`;
}
