// The report without a browser: result files checked field by field, shards merged into exactly the numbers
// of one run, runs of other methods combined and mismatched ones refused, the markdown table, the HTML page's
// self-containment, CSP and escaping, and `propmend report` writing (and refusing to overwrite) the page.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  loadReport,
  MergeError,
  markdownTable,
  mergeResults,
  parseEvalResult,
  renderReport,
  reportRows,
} from '../../server/report/index';
import { summarizeRecords } from '../../server/runtime/eval/result';
import { runCliCaptured as cli } from '../support/cli';
import { makeResult, shardOf } from './fixture';

const dir = mkdtempSync(join(tmpdir(), 'propmend-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const save = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

describe('result files', () => {
  test('a wrong format, version or field is one message naming the file and the field', () => {
    const good = makeResult({ instances: 2 });
    const cases: Array<[unknown, RegExp]> = [
      [
        { ...good, format: 'something-else' },
        /r\.json: format is the string "something-else", expected "propmend\.eval-result"/,
      ],
      [{ ...good, version: 2 }, /r\.json: version is number 2; this propmend reads version 1/],
      [
        { ...good, config: { ...good.config, model: 3 } },
        /r\.json: config\.model must be a string, got number 3/,
      ],
      [
        { ...good, records: [good.records[0], { ...good.records[1], exact_match: 'yes' }] },
        /r\.json: records\[1\]\.exact_match must be true or false, got the string "yes"/,
      ],
      [
        { ...good, records: [{ ...good.records[0], kind: 'direct' }] },
        /records\[0\]\.kind must be verbatim, non-verbatim or locality/,
      ],
      [
        { ...good, config: { ...good.config, shard: { index: 4, count: 4 } } },
        /config\.shard must have 0 <= index < count, got 4\/4/,
      ],
    ];
    for (const [value, message] of cases) {
      const r = parseEvalResult('r.json', JSON.stringify(value));
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.message, message);
    }
    const broken = parseEvalResult('r.json', '{"format": ');
    assert.match(broken.ok ? '' : broken.message, /^r\.json: not JSON/);
    assert.equal(parseEvalResult('r.json', JSON.stringify(good)).ok, true);
  });
});

describe('merging', () => {
  const run = makeResult({ methods: ['base', 'mend', 'propmend'], instances: 13 });

  test('the shards of a run, in any order, give exactly the records and numbers of the whole run', () => {
    const shards = [2, 0, 1].map((i) => shardOf(run, i, 3));
    const merged = mergeResults(shards, ['s2', 's0', 's1']);
    assert.equal(merged.records.length, run.records.length);
    assert.deepEqual(merged.config.shard, null);
    const boot = run.config.bootstrap;
    assert.deepEqual(summarizeRecords(merged.records, boot), summarizeRecords(run.records, boot));
    assert.deepEqual(reportRows(merged), reportRows(run));
  });

  test('runs of other methods on the same model and datasets become one table', () => {
    const a = makeResult({ methods: ['base', 'mend'], instances: 5 });
    const b = makeResult({ methods: ['propmend'], instances: 5, seed: 8 });
    const merged = mergeResults([b, a]);
    assert.deepEqual(merged.config.methods, ['propmend', 'base', 'mend']);
    assert.deepEqual(
      reportRows(merged).map((r) => `${r.split} ${r.method}`),
      [
        'test-in-domain base',
        'test-in-domain mend',
        'test-in-domain propmend',
        'test-ood-entity base',
        'test-ood-entity mend',
        'test-ood-entity propmend',
      ],
    );
  });

  test('inputs that do not make one table are refused with the files named', () => {
    const shards = [0, 1, 2].map((i) => shardOf(run, i, 3));
    const refused: Array<[() => unknown, RegExp]> = [
      [
        () => mergeResults([shards[0], shards[2]] as never, ['a', 'c']),
        /shard 1\/3 missing; merge all 3 shards of the run/,
      ],
      [
        () => mergeResults([shards[0], shards[0]] as never, ['a', 'b']),
        /shard 0\/3 is given twice \(a and b\)/,
      ],
      [
        () => mergeResults([shards[0], shardOf(run, 1, 2)] as never, ['a', 'b']),
        /b is shard 1\/2 but a is of 3 shards/,
      ],
      [
        () => mergeResults([run, makeResult({ model: '/models/other' })], ['x', 'y']),
        /y evaluates the model \/models\/other but x evaluates/,
      ],
      [
        () => mergeResults([run, makeResult({ splits: ['test-ood-both'] })], ['x', 'y']),
        /a table compares methods on the same datasets/,
      ],
      [
        () => mergeResults([run, makeResult({ methods: ['mend'], seed: 9 })], ['x', 'y']),
        /the method mend is in two different runs \(x and y\)/,
      ],
      [() => mergeResults([run, run], ['x', 'y']), /x and y are the same run given twice/],
      [() => mergeResults([]), /no result to report/],
    ];
    for (const [call, message] of refused)
      assert.throws(call, (e) => e instanceof MergeError && message.test(e.message));
  });
});

describe('rendering', () => {
  const run = makeResult({ methods: ['base', 'prepend', 'mend', 'propmend'], instances: 8 });

  test('the markdown table has a row per split and method with mean [low, high] (n) cells', () => {
    const text = markdownTable(reportRows(run));
    const lines = text.split('\n').filter((l) => l.startsWith('| test'));
    assert.equal(lines.length, 2 * 4);
    const first = reportRows(run)[0];
    assert.ok(first);
    const nv = first.efficacy_nonverbatim.exact_match;
    const cell = `${(100 * nv.mean).toFixed(1)} [${(100 * nv.low).toFixed(1)}, ${(100 * nv.high).toFixed(1)}] (${nv.n})`;
    assert.ok(lines[0]?.includes(cell), `${lines[0]} has ${cell}`);
    assert.match(lines[0] ?? '', /^\| test-in-domain +\| base +\| +8 \|/);
    assert.equal(nv.n, 8 * 3);
  });

  test('the page is self-contained, under a strict CSP with one nonce, and escapes the data', () => {
    const hostile = '</script><img src=x onerror=alert(1)>"\'&';
    const page = renderReport(makeResult({ firstQuestion: hostile, instances: 3 }), {
      nonce: 'TESTNONCE0123456789abcd',
    });
    assert.ok(!page.includes('<img'), 'no element from the data');
    assert.ok(page.includes('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;'));
    assert.equal(page.match(/<script\b/g)?.length, 1);
    assert.match(
      page,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;nonce-TESTNONCE0123456789abcd&#39;; script-src &#39;nonce-TESTNONCE0123456789abcd&#39;;/,
    );
    assert.match(page, /<script nonce="TESTNONCE0123456789abcd">/);
    assert.match(page, /<style nonce="TESTNONCE0123456789abcd">/);
    assert.doesNotMatch(
      page,
      /<[^>]*\s(?:src|href|srcset|action)=|https?:\/\/(?!www\.w3\.org\/2000\/svg)|@import|url\(/,
      'no external resource',
    );
    assert.doesNotMatch(page, /\sstyle=/, 'no inline style attribute (the CSP would block it)');
    const webview = renderReport(run, { nonce: 'abcdefghijklmnop', cspSource: 'https://*.vscode-cdn.net' });
    assert.match(webview, /style-src &#39;nonce-abcdefghijklmnop&#39; https:\/\/\*\.vscode-cdn\.net;/);
    assert.throws(() => renderReport(run, { nonce: 'short' }), /nonce/);
  });

  test('bars per split and method and column, one row per question, theme variables with fallbacks', () => {
    const page = renderReport(run);
    assert.equal(page.match(/<rect class="bar /g)?.length, 3 * 2 * 4);
    assert.equal(page.match(/<tr data-method=/g)?.length, run.records.length);
    // Efficacy by relation path: a table per split, a row per path, a column per method.
    assert.equal(page.match(/<table class="by-path"/g)?.length, 2);
    const row = reportRows(run).find((r) => r.split === 'test-in-domain' && r.method === 'propmend');
    const cell = row?.by_path['employer/company_industry']?.exact_match;
    assert.ok(cell && cell.n > 0);
    const m = page.match(
      /<table class="by-path" data-split="test-in-domain">[\s\S]*?<tr><th scope="row">employer\/company_industry<\/th>(?:<td class="num">[^<]*<\/td>){3}<td class="num">([^<]*)<\/td><\/tr>/,
    );
    assert.equal(
      m?.[1],
      `${(100 * cell.mean).toFixed(1)} [${(100 * cell.low).toFixed(1)}, ${(100 * cell.high).toFixed(1)}] (${cell.n})`,
    );
    assert.match(page, /var\(--vscode-editor-background, #ffffff\)/);
    assert.match(page, /@media \(prefers-color-scheme: dark\)/);
    assert.equal(renderReport(run), page, 'the same result renders the same page');
  });
});

describe('propmend report', () => {
  const a = save('a.json', makeResult({ methods: ['base', 'mend'], instances: 4 }));
  const b = save('b.json', makeResult({ methods: ['propmend'], instances: 4 }));

  test('prints the table, writes report.html beside the first result, refuses to overwrite it', async () => {
    const r = await cli(['report', a, b]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\| test-in-domain +\| propmend +\| +4 \|/);
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(page, /<h1>PropMEND evaluation report<\/h1>/);
    const again = await cli(['report', a, b]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /report\.html.*--force/);
    assert.equal((await cli(['report', a, b, '--force', '--json'])).code, 0);
  });

  test('--json rows, --markdown writes nothing, bad files and overlapping runs exit 1 with one line', async () => {
    const out = join(dir, 'x.html');
    const r = await cli(['report', a, '--markdown', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { rows: Array<{ method: string }>; html: string | null };
    assert.equal(json.html, null);
    assert.deepEqual([...new Set(json.rows.map((x) => x.method))], ['base', 'mend']);
    const bad = save('bad.json', { format: 'propmend.eval-result', version: 1 });
    const refused = await cli(['report', bad, '--html', out]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    assert.match(refused.stderr, /bad\.json: created must be a string, got missing/);
    const twice = await cli(['report', a, a, '--html', out]);
    assert.match(twice.stderr, /same run given twice/);
    assert.equal((await cli(['report', a, '--html', a, '--force'])).code, 1, 'an input is never the page');
    assert.equal((await cli(['report'])).code, 2);
  });
});

test('loadReport names a missing file', () => {
  const r = loadReport([join(dir, 'nope.json')]);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.message, /nope\.json/);
});
