// Grouped bar charts of the report as inline SVG: one chart per column of the paper's table, a group of bars
// per split, one bar per method (exact match in percent) with a whisker for its bootstrap 95% interval.
// Colours come from CSS classes (`m0`…`m7`, see page-assets.ts) so the theme decides them; no style
// attributes (the page's CSP forbids inline styles). Pure: summary rows in, SVG text out.
import type { SummaryRow } from '../runtime/eval/result';
import { escapeHtml } from './escape';
import { COLUMNS, type ColumnKey, exactMatchOf, orderOf } from './summary';

const BAR = 18;
const GAP = 4;
const GROUP_GAP = 28;
const PLOT_H = 160;
const LEFT = 40;
const TOP = 12;
const BOTTOM = 44;

const f = (x: number) => (Math.round(x * 10) / 10).toString();

/** The chart of one column; `id` prefixes element ids so several charts share a page. */
export function barChart(rows: readonly SummaryRow[], column: ColumnKey, label: string, id: string): string {
  const { methods, splits } = orderOf(rows);
  const groupW = methods.length * (BAR + GAP) - GAP;
  const width = LEFT + splits.length * (groupW + GROUP_GAP) + GROUP_GAP / 2;
  const height = TOP + PLOT_H + BOTTOM;
  const y = (v: number) => TOP + PLOT_H * (1 - Math.min(1, Math.max(0, v)));
  const parts: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line class="grid" x1="${LEFT}" x2="${width}" y1="${f(y(tick))}" y2="${f(y(tick))}"/>`,
      `<text class="tick" x="${LEFT - 6}" y="${f(y(tick) + 4)}" text-anchor="end">${tick * 100}</text>`,
    );
  }
  splits.forEach((split, s) => {
    const x0 = LEFT + GROUP_GAP / 2 + s * (groupW + GROUP_GAP);
    methods.forEach((method, m) => {
      const row = rows.find((r) => r.method === method && r.split === split);
      if (!row) return;
      const iv = exactMatchOf(row, column);
      if (iv.n === 0) return;
      const x = x0 + m * (BAR + GAP);
      const tip = `${method} on ${split}: ${(100 * iv.mean).toFixed(1)}% [${(100 * iv.low).toFixed(1)}, ${(100 * iv.high).toFixed(1)}], n=${iv.n}`;
      const cx = f(x + BAR / 2);
      parts.push(
        `<g class="bar-group"><rect class="bar m${m % 8}" data-method="${escapeHtml(method)}" data-split="${escapeHtml(split)}" x="${f(x)}" y="${f(y(iv.mean))}" width="${BAR}" height="${f(y(0) - y(iv.mean))}"><title>${escapeHtml(tip)}</title></rect>`,
        `<path class="whisker" d="M${cx} ${f(y(iv.low))}V${f(y(iv.high))}M${f(x + 5)} ${f(y(iv.low))}H${f(x + BAR - 5)}M${f(x + 5)} ${f(y(iv.high))}H${f(x + BAR - 5)}"/></g>`,
      );
    });
    parts.push(
      `<text class="axis-label" x="${f(x0 + groupW / 2)}" y="${TOP + PLOT_H + 18}" text-anchor="middle">${escapeHtml(split)}</text>`,
    );
  });
  parts.push(`<line class="axis" x1="${LEFT}" x2="${width}" y1="${y(0)}" y2="${y(0)}"/>`);
  return [
    `<svg class="chart" id="${id}" role="img" aria-labelledby="${id}-title" viewBox="0 0 ${f(width)} ${height}" width="${f(width)}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="${id}-title">${escapeHtml(label)}: exact match in % by split and method, whiskers the bootstrap 95% interval</title>`,
    ...parts,
    '</svg>',
  ].join('');
}

/** The three charts of the page, each in a figure with its caption. */
export function chartFigures(rows: readonly SummaryRow[]): string {
  return COLUMNS.map(
    (c, i) =>
      `<figure><figcaption>${escapeHtml(c.label)} (exact match, %)</figcaption>${barChart(rows, c.key, c.label, `chart-${i}`)}</figure>`,
  ).join('\n');
}

/** The legend: one swatch per method, in chart order. */
export function legend(rows: readonly SummaryRow[]): string {
  const { methods } = orderOf(rows);
  return `<ul class="legend" aria-label="methods">${methods
    .map((m, i) => `<li><span class="swatch m${i % 8}" aria-hidden="true"></span>${escapeHtml(m)}</li>`)
    .join('')}</ul>`;
}
