// The extension's view models without VS Code: question locations from the dataset model, the propagation
// diff report from an applied edit's records, inline results and their staleness, CodeLens lines, the Test
// Explorer tree, and the rule that extension/views/ and the webview's shared modules never import `vscode`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { buildDiffReport, changeOf, matchQuestions } from '../../extension/views/diff-report';
import {
  afterChange,
  END_OF_LINE,
  inlineResults,
  instanceLenses,
} from '../../extension/views/inline-results';
import { locateDataset, locateSpec } from '../../extension/views/question-locations';
import { testTree } from '../../extension/views/test-tree';
import type { ApplyEditResult, QuestionRecord } from '../../server/protocol';

const root = resolve(__dirname, '..', '..');
const specFile = join(root, 'examples', 'marta-quill.edit.json');
const specText = readFileSync(specFile, 'utf8');
const datasetText = readFileSync(join(root, 'examples', 'dataset', 'train.ripple.jsonl'), 'utf8');

function q(
  kind: QuestionRecord['kind'],
  question: string,
  before: string,
  after: string,
  gold: string,
): QuestionRecord {
  return {
    kind,
    question,
    gold,
    before,
    after,
    correct_before: before === gold,
    correct_after: after === gold,
    logprob_before: -3.5,
    logprob_after: -0.25,
  };
}

/** An apply-edit result shaped as the sidecar returns it for examples/marta-quill.edit.json. */
const result: ApplyEditResult = {
  patch: {
    id: 'p1',
    position: 1,
    fact: 'Marta Quill works for Cobalt Labs.',
    method: 'propmend',
    source: { kind: 'spec', file: specFile },
    applied_at: '2026-11-29T15:00:00.000Z',
    saved_to: null,
  },
  report: {
    fact: 'Marta Quill works for Cobalt Labs.',
    method: 'propmend',
    questions: [
      q('verbatim', 'Which company does Marta Quill work for?', 'Quill Media', 'Cobalt Labs', 'Cobalt Labs'),
      q(
        'nonverbatim',
        'In which city is the company that Marta Quill works for headquartered?',
        'Sarnow',
        'Sarnow',
        'Tessel',
      ),
      q(
        'nonverbatim',
        "In which country are the headquarters of Marta Quill's employer?",
        'Veloria',
        'Drunmark',
        'Drunmark',
      ),
      q(
        'nonverbatim',
        'Who is the chief executive of the company that Marta Quill works for?',
        'Jonah Pell',
        'Ada Ferrum',
        'Ada Ferrum',
      ),
      q('locality', 'What is the capital of Drunmark?', 'Tessel', 'Tessel', 'Tessel'),
      q('locality', 'Who is the chief executive of Quill Media?', 'Jonah Pell', 'Ada Ferrum', 'Jonah Pell'),
    ],
    timings_ms: { capture: 120, transform: 30, answering: 800 },
    edit_size: { targets: 12, rank: 1, parameters: 4096 },
  },
  elapsed_ms: 1500,
};

test('question locations: an edit spec line by line, a dataset one instance per line', () => {
  const spec = locateSpec(specText);
  assert.equal(spec?.questions.length, 6);
  const first = spec?.questions[0];
  const lines = specText.split('\n');
  assert.ok(first && lines[first.line]?.slice(first.character).startsWith('"Which company does Marta Quill'));
  assert.deepEqual(
    spec?.questions.map((x) => x.group),
    ['verbatim', 'non-verbatim', 'non-verbatim', 'non-verbatim', 'locality', 'locality'],
  );
  const dataset = locateDataset(datasetText);
  assert.deepEqual(
    dataset.map((i) => [i.id, i.line]),
    [
      ['train-1', 0],
      ['train-2', 1],
      ['train-3', 2],
      ['train-4', 3],
    ],
  );
  const second = dataset[1]?.questions[0];
  const line = datasetText.split('\n')[1] as string;
  assert.ok(second && second.line === 1 && line.slice(second.character).startsWith('"'));
  // A broken line is skipped, the others keep their lines.
  const broken = `{"id": \n${datasetText}`;
  assert.deepEqual(
    locateDataset(broken).map((i) => i.line),
    [1, 2, 3, 4],
  );
});

test('the diff report: a row per question with its place, change and group scores', () => {
  const report = buildDiffReport(result, {
    file: specFile,
    label: 'marta-quill.edit.json',
    instance: locateSpec(specText),
  });
  assert.deepEqual(
    report.rows.map((r) => [r.id, r.change]),
    [
      ['verbatim-1', 'fixed'],
      ['non-verbatim-1', 'still-wrong'],
      ['non-verbatim-2', 'fixed'],
      ['non-verbatim-3', 'fixed'],
      ['locality-1', 'still-right'],
      ['locality-2', 'broken'],
    ],
  );
  assert.deepEqual(report.scores, [
    { group: 'verbatim', total: 1, rightBefore: 0, rightAfter: 1 },
    { group: 'non-verbatim', total: 3, rightBefore: 0, rightAfter: 2 },
    { group: 'locality', total: 2, rightBefore: 2, rightAfter: 1 },
  ]);
  const spec = locateSpec(specText);
  assert.equal(report.rows[4]?.location?.line, spec?.questions[4]?.line);
  assert.equal(report.patchId, 'p1');
  assert.equal(changeOf(null, true), 'unscored');
});

test('matching records to questions: by text first, then by group order', () => {
  const located = locateSpec(specText)?.questions ?? [];
  const reworded = [
    { ...(result.report.questions[1] as QuestionRecord), question: 'Where is it headquartered?' },
  ];
  assert.equal(matchQuestions(reworded, located)[0], located[1]);
  const tooMany = [...result.report.questions, q('locality', 'Extra?', 'a', 'a', 'a')];
  assert.equal(matchQuestions(tooMany, located).at(-1), undefined);
});

test('inline results: ✓ when right after, ✗ with the answer when wrong; stale lines dropped, later ones moved', () => {
  const report = buildDiffReport(result, { file: specFile, label: 'x', instance: locateSpec(specText) });
  const inline = inlineResults(report.rows, specFile, 'propmend');
  assert.deepEqual(
    inline.map((r) => r.text),
    ['✓', '✗ Sarnow', '✓', '✓', '✓', '✗ Ada Ferrum'],
  );
  assert.match(
    inline[1]?.hover ?? '',
    /gold `Tessel`[\s\S]*before `Sarnow` \(wrong\) → after `Sarnow` \(wrong\)/,
  );
  assert.deepEqual(inlineResults(report.rows, '/elsewhere.json', 'propmend'), []);
  assert.ok(
    inline.every((r) => r.character === END_OF_LINE),
    'a spec puts each result at its line end',
  );
  // A dataset line holds every question: each result goes right after its question object.
  const file = '/ws/train.ripple.jsonl';
  const instance = locateDataset(datasetText)[0];
  const rows = instance?.questions.map((x, i) => ({
    ...(report.rows[i] as (typeof report.rows)[number]),
    location: { file, line: x.line, character: x.character },
  }));
  const onLine = inlineResults(rows ?? [], file, 'propmend', instance?.questions);
  const line0 = datasetText.split('\n')[0] as string;
  assert.deepEqual(
    onLine.map((r) => line0.slice(r.character, r.character + 2)),
    [',{', ',{', '],', ']}'],
  );
  const at = [{ line: 2 }, { line: 5 }, { line: 9 }];
  assert.deepEqual(afterChange(at, { startLine: 5, endLine: 5, newLines: 1 }), [{ line: 2 }, { line: 9 }]);
  assert.deepEqual(afterChange(at, { startLine: 3, endLine: 3, newLines: 3 }), [
    { line: 2 },
    { line: 7 },
    { line: 11 },
  ]);
  assert.deepEqual(afterChange(at, { startLine: 0, endLine: 1, newLines: 1 }), [
    { line: 1 },
    { line: 4 },
    { line: 8 },
  ]);
});

test('CodeLens: apply and evaluate on every instance, the diff where one exists', () => {
  const lenses = instanceLenses(locateDataset(datasetText), (line) => line === 2);
  assert.deepEqual(
    lenses.filter((l) => l.line === 2).map((l) => l.title),
    ['Apply edit', 'Evaluate', 'Show diff'],
  );
  assert.equal(lenses.length, 9);
});

test('the Test Explorer tree: an item per instance, a child per question on its line', () => {
  const file = '/ws/train.ripple.jsonl';
  const tree = testTree(file, locateDataset(datasetText));
  assert.deepEqual(
    tree.map((n) => [n.id, n.label, n.line, n.children.length]),
    [
      [`${file}#id:train-1`, 'train-1', 0, 4],
      [`${file}#id:train-2`, 'train-2', 1, 4],
      [`${file}#id:train-3`, 'train-3', 2, 4],
      [`${file}#id:train-4`, 'train-4', 3, 3],
    ],
  );
  const leaf = tree[0]?.children[1];
  assert.deepEqual(
    [leaf?.id, leaf?.label, leaf?.line],
    [`${file}#id:train-1/propagation[1]`, 'non-verbatim: In which country does Mira Castell live?', 0],
  );
  // Same ids when a line is inserted above: items keep their state.
  const moved = testTree(file, locateDataset(`\n${datasetText}`));
  assert.deepEqual(
    moved.map((n) => n.id),
    tree.map((n) => n.id),
  );
  assert.deepEqual(
    moved.map((n) => n.line),
    [1, 2, 3, 4],
  );
});

test('extension/views and the webviews never import vscode', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (
        /\.ts$/.test(e.name) &&
        /from 'vscode(-languageclient[^']*)?'|require\('vscode'\)/.test(readFileSync(path, 'utf8'))
      )
        offenders.push(path);
    }
  };
  walk(join(root, 'extension', 'views'));
  walk(join(root, 'webviews'));
  assert.deepEqual(offenders, []);
});

test('the bundled webview page (diff, training, form): a strict CSP, scripts only by nonce, nothing remote or inline', async () => {
  const { webviewPageHtml } = await import('../../extension/views/diff-html');
  const html = webviewPageHtml({
    title: 'PropMEND: Propagation Diff',
    rootTestId: 'diff-root',
    script: 'https://r/diff.js',
    elements: 'https://r/el.js',
    style: 'https://r/diff.css',
    cspSource: 'https://r',
    nonce: 'N0nce',
  });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.equal(
    csp,
    "default-src 'none'; script-src 'nonce-N0nce'; style-src https://r; font-src https://r; img-src https://r",
  );
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? '');
  assert.equal(scripts.length, 2);
  for (const s of scripts) assert.match(s, /nonce="N0nce".*src="https:\/\/r\//);
  assert.doesNotMatch(html, /style="|<style|unsafe-inline|http:\/\//);
});

test('evaluation summary: a line per method with the counts behind each rate; failures read as one line', async () => {
  const { evalSummary } = await import('../../extension/views/eval-summary');
  const { describeFailure } = await import('../../extension/runtime-client');
  const line = evalSummary(
    {
      file: '/ws/train.ripple.jsonl',
      elapsed_ms: 2345,
      results: [
        {
          method: 'propmend',
          n_instances: 1,
          efficacy_verbatim: 2 / 3,
          efficacy_nonverbatim: 0.5,
          specificity: 1,
          n_questions: { verbatim: 3, nonverbatim: 6, locality: 0 },
        },
      ],
    },
    'train.ripple.jsonl:1',
  );
  assert.equal(
    line,
    'train.ripple.jsonl:1 (1 instance, 2.3 s): propmend: verbatim 66.7% of 3, non-verbatim 50.0% of 6, specificity n/a',
  );
  assert.deepEqual(describeFailure({ code: -32800, message: 'Request cancelled' }), {
    cancelled: true,
    message: 'cancelled; nothing changed',
  });
  assert.deepEqual(describeFailure({ code: 1002, message: 'no model is loaded; run Select Model' }), {
    cancelled: false,
    message: 'NoModel: no model is loaded; run Select Model',
  });
  assert.deepEqual(
    describeFailure({
      code: 1001,
      message: 'x.edit.json: "fact" is missing',
      data: { file: '/ws/x.edit.json' },
    }),
    {
      cancelled: false,
      message: 'x.edit.json: "fact" is missing',
      file: '/ws/x.edit.json',
    },
  );
});

test('the extension reaches the runtime only through the protocol: no import of runtime, jobs or the sidecar', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts'))
        // report: the pure reader and renderer of result files (the evaluation panel shows its page);
        // common: plain helpers with no runtime (the sidecar's malloc tuning).
        for (const m of readFileSync(path, 'utf8').matchAll(/from '((?:\.\.\/)+server\/(\w+))/g))
          if (!['protocol', 'dataset', 'report', 'common'].includes(m[2] as string))
            offenders.push(`${path}: ${m[1]}`);
    }
  };
  walk(join(root, 'extension'));
  assert.deepEqual(offenders, []);
});
