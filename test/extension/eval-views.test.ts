// The evaluation view's models without VS Code: the dataset and method picks (defaults, last picks), the
// limit box, the command argument, the per-run result folder, and the panel's page (the report in webview
// mode under the webview's CSP source), its title, the finished run's log line and where a question link
// of the page goes (the result's own file, 0-based line; anything else is ignored).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  datasetChoices,
  evaluateDatasetArgs,
  methodChoices,
  parseLimit,
  resultFolder,
} from '../../extension/views/eval-choices';
import {
  evalPanelHtml,
  evalPanelTitle,
  evalRunLine,
  questionLocation,
} from '../../extension/views/eval-report';
import { makeResult } from '../report/fixture';

test('methods: all seven in eval order; base, mend, propmend picked unless the last run picked others', () => {
  const rows = methodChoices();
  assert.deepEqual(
    rows.map((r) => r.label),
    ['base', 'prepend', 'cpt-full', 'cpt-midupper', 'memit', 'mend', 'propmend'],
  );
  assert.deepEqual(
    rows.filter((r) => r.picked).map((r) => r.value),
    ['base', 'mend', 'propmend'],
  );
  assert.ok(rows.every((r) => (r.description ?? '').length > 0));
  assert.deepEqual(
    methodChoices(['prepend', 'gone'])
      .filter((r) => r.picked)
      .map((r) => r.value),
    ['prepend'],
  );
  assert.deepEqual(
    methodChoices(['gone'])
      .filter((r) => r.picked)
      .map((r) => r.value),
    ['base', 'mend', 'propmend'],
  );
});

test('datasets: sorted, folder relative to the workspace, split named; validation picked, else the last picks', () => {
  const files = [
    '/w/dataset/validation.ripple.jsonl',
    '/w/dataset/test-in-domain.ripple.jsonl',
    '/w/mine.ripple.jsonl',
  ];
  const rows = datasetChoices(files, '/w');
  assert.deepEqual(
    rows.map((r) => [r.label, r.description, r.detail, r.picked]),
    [
      ['test-in-domain.ripple.jsonl', 'dataset', 'split: test-in-domain', false],
      ['validation.ripple.jsonl', 'dataset', 'split: validation', true],
      ['mine.ripple.jsonl', '.', 'split: from each instance ("split" field), else unknown', false],
    ],
  );
  assert.deepEqual(
    datasetChoices(files, '/w', ['/w/mine.ripple.jsonl', '/w/deleted.ripple.jsonl'])
      .filter((r) => r.picked)
      .map((r) => r.value),
    ['/w/mine.ripple.jsonl'],
  );
  assert.deepEqual(
    datasetChoices(['/w/b.ripple.jsonl', '/w/a.ripple.jsonl'], '/w').map((r) => [r.value, r.picked]),
    [
      ['/w/a.ripple.jsonl', true],
      ['/w/b.ripple.jsonl', false],
    ],
  );
});

test('the limit box and the command argument', () => {
  assert.deepEqual(parseLimit(''), { ok: true, value: undefined });
  assert.deepEqual(parseLimit(' 5 '), { ok: true, value: 5 });
  for (const bad of ['0', '-1', '2.5', 'ten']) assert.equal(parseLimit(bad).ok, false, bad);
  assert.deepEqual(evaluateDatasetArgs(undefined), { ok: true, value: {} });
  assert.deepEqual(evaluateDatasetArgs({ fsPath: '/w/x.ripple.jsonl', scheme: 'file' }), {
    ok: true,
    value: {},
  });
  assert.deepEqual(
    evaluateDatasetArgs({ files: ['/w/a.ripple.jsonl'], methods: ['base', 'memit'], limit: 2 }),
    {
      ok: true,
      value: { files: ['/w/a.ripple.jsonl'], methods: ['base', 'memit'], limit: 2 },
    },
  );
  const bad = evaluateDatasetArgs({ methods: ['rome'] });
  assert.ok(!bad.ok && /unknown method "rome"; use base, prepend/.test(bad.message));
  assert.equal(evaluateDatasetArgs({ files: [] }).ok, false);
  assert.equal(evaluateDatasetArgs({ limit: 0 }).ok, false);
});

test('each run gets its own result folder under .propmend/eval', () => {
  assert.equal(resultFolder('/w', new Date('2026-11-29T18:40:05.123Z')), '/w/.propmend/eval/20261129-184005');
});

test('the panel page is the report in webview mode; its links resolve to the result files only', () => {
  const result = makeResult({ instances: 2 });
  const html = evalPanelHtml(result, {
    nonce: 'n0nce-n0nce-n0nce-n0nce',
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    source: '/w/eval.json',
  });
  assert.match(html, /<title>PropMEND evaluation report<\/title>/);
  assert.match(
    html,
    /style-src &#39;nonce-n0nce-n0nce-n0nce-n0nce&#39; https:\/\/file\+\.vscode-resource\.vscode-cdn\.net/,
  );
  assert.equal((html.match(/class="qlink"/g) ?? []).length, result.records.length);
  assert.match(html, /\/w\/eval\.json/);
  assert.equal(evalPanelTitle(result), 'PropMEND Evaluation: test-in-domain, test-ood-entity');
  const record = result.records.find((r) => r.dataset === result.config.datasets[1]);
  assert.ok(record);
  assert.deepEqual(questionLocation(result, { type: 'openQuestion', dataset: 1, line: record.line }), {
    file: result.config.datasets[1],
    line: record.line - 1,
  });
  assert.equal(questionLocation(result, { type: 'openQuestion', dataset: 5, line: 1 }), null);
  assert.equal(questionLocation(result, { type: 'open', file: '/etc/passwd', line: 1 }), null);
});

test('the log line of a finished run', () => {
  const line = evalRunLine({
    file: '/w/a.ripple.jsonl',
    results: [
      {
        method: 'base',
        n_instances: 2,
        efficacy_verbatim: 0,
        efficacy_nonverbatim: 0.25,
        specificity: 1,
        n_questions: { verbatim: 2, nonverbatim: 4, locality: 2 },
      },
    ],
    elapsed_ms: 1234,
  });
  assert.equal(
    line,
    '2 instances in 1.2 s: base: verbatim 0.0% of 2, non-verbatim 25.0% of 4, specificity 100.0% of 2',
  );
});
