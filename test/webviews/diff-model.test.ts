// The propagation diff page's logic without a browser: message validation both ways, sorting and filtering
// rows, the probability bars, the summary line and the markdown export (webviews/diff/model.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiffReport, DiffRow } from '../../webviews/diff/messages';
import { readFromWebview, readToWebview } from '../../webviews/diff/messages';
import {
  barPercent,
  DEFAULT_VIEW,
  reportMarkdown,
  summaryLine,
  visibleRows,
} from '../../webviews/diff/model';

function row(
  id: string,
  group: DiffRow['group'],
  change: DiffRow['change'],
  lpBefore: number,
  lpAfter: number,
): DiffRow {
  return {
    id,
    group,
    question: `Question ${id}?`,
    gold: `gold|${id}`,
    before: 'b',
    after: 'a',
    correctBefore: change === 'broken' || change === 'still-right',
    correctAfter: change === 'fixed' || change === 'still-right',
    logprobBefore: lpBefore,
    logprobAfter: lpAfter,
    change,
    location: null,
  };
}

const rows = [
  row('verbatim-1', 'verbatim', 'fixed', -4, -0.1),
  row('non-verbatim-1', 'non-verbatim', 'still-wrong', -3, -2.5),
  row('non-verbatim-2', 'non-verbatim', 'fixed', -5, -0.5),
  row('locality-1', 'locality', 'broken', -0.2, -3),
];
const report: DiffReport = {
  fact: 'F.',
  method: 'propmend',
  source: 'x.edit.json',
  patchId: 'p1',
  rows,
  scores: [
    { group: 'verbatim', total: 1, rightBefore: 0, rightAfter: 1 },
    { group: 'non-verbatim', total: 2, rightBefore: 0, rightAfter: 1 },
    { group: 'locality', total: 1, rightBefore: 1, rightAfter: 0 },
  ],
  timingsMs: { capture: 10.4, transform: 2, answering: 300 },
  elapsedMs: 450,
};

test('messages from the page are validated, unknown ones dropped', () => {
  assert.deepEqual(readFromWebview({ type: 'reveal', rowId: 'verbatim-1' }), {
    type: 'reveal',
    rowId: 'verbatim-1',
  });
  assert.deepEqual(readFromWebview({ type: 'export', format: 'markdown' }), {
    type: 'export',
    format: 'markdown',
  });
  assert.equal(readFromWebview({ type: 'export', format: 'html' }), undefined);
  assert.equal(readFromWebview({ type: 'reveal', rowId: 3 }), undefined);
  assert.equal(readFromWebview({ type: 'run', command: 'rm -rf /' }), undefined);
  assert.equal(readFromWebview('ready'), undefined);
  assert.deepEqual(readToWebview({ type: 'show', report }), { type: 'show', report });
  assert.equal(readToWebview({ type: 'show', report: { rows: 'x' } }), undefined);
});

test('filter by group, by changed correctness and by text; sort keeps file order on ties', () => {
  const ids = (v: Partial<typeof DEFAULT_VIEW>) =>
    visibleRows(rows, { ...DEFAULT_VIEW, ...v }).map((r) => r.id);
  assert.deepEqual(
    ids({}),
    rows.map((r) => r.id),
  );
  assert.deepEqual(ids({ groups: ['locality'] }), ['locality-1']);
  assert.deepEqual(ids({ changedOnly: true }), ['verbatim-1', 'non-verbatim-2', 'locality-1']);
  assert.deepEqual(ids({ text: 'GOLD|NON' }), ['non-verbatim-1', 'non-verbatim-2']);
  assert.deepEqual(ids({ sort: 'change' }), ['locality-1', 'verbatim-1', 'non-verbatim-2', 'non-verbatim-1']);
  assert.deepEqual(ids({ sort: 'delta', descending: true }), [
    'non-verbatim-2',
    'verbatim-1',
    'non-verbatim-1',
    'locality-1',
  ]);
  assert.deepEqual(ids({ sort: 'group', descending: true }), [
    'locality-1',
    'non-verbatim-1',
    'non-verbatim-2',
    'verbatim-1',
  ]);
});

test('bars are the gold probability in percent; the summary and markdown carry the scores', () => {
  assert.equal(barPercent(0), 100);
  assert.equal(barPercent(Math.log(0.25)), 25);
  assert.equal(barPercent(null), null);
  assert.equal(barPercent(Number.NEGATIVE_INFINITY), null);
  assert.equal(
    summaryLine(report),
    'verbatim efficacy 100% (0/1 → 1/1) · non-verbatim efficacy 50% (0/2 → 1/2) · specificity 0% (1/1 → 0/1) · capture 10 ms, transform 2 ms, answering 300 ms, total 450 ms',
  );
  const md = reportMarkdown(report);
  assert.match(md, /^# Propagation diff: F\.$/m);
  assert.match(md, /^## locality\n\n\| question \| gold \| before \| after \| gold log-prob \|$/m);
  assert.match(md, /^\| Question verbatim-1\? \| gold\\\|verbatim-1 \| b ✗ \| a ✓ \| -4\.00 → -0\.10 \|$/m);
});
