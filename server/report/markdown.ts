// The report as a markdown table for the terminal: one row per split and method, the paper's three columns
// (efficacy on verbatim and non-verbatim questions, specificity), each exact match in percent with its
// bootstrap 95% interval and number of questions. Pure: summary rows in, text out.
import { maxOf } from '../common/arrays';
import type { SummaryRow } from '../runtime/eval/result';
import { COLUMNS, exactMatchOf, formatCell } from './summary';

function pad(cells: readonly string[], widths: readonly number[]): string {
  return `| ${cells.map((c, i) => (i >= 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
}

/** The comparison table; rows as reportRows orders them. */
export function markdownTable(rows: readonly SummaryRow[]): string {
  const head = ['split', 'method', 'instances', ...COLUMNS.map((c) => c.label)];
  const body = rows.map((r) => [
    r.split,
    r.method,
    String(r.n_instances),
    ...COLUMNS.map((c) => formatCell(exactMatchOf(r, c.key))),
  ]);
  const widths = head.map((h, i) => maxOf([h.length, ...body.map((b) => (b[i] as string).length)]));
  const rule = `|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [
    pad(head, widths),
    rule,
    ...body.map((b) => pad(b, widths)),
    '',
    'Exact match in %, [bootstrap 95% interval] and (number of questions).',
    '',
  ].join('\n');
}
