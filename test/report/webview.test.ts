// The report page's webview mode: question cells become links carrying the dataset index and line of their
// record (the standalone page stays as it was), the page script posts `openQuestion` for a clicked link only
// inside a webview, and the host's reader accepts exactly that message and resolves it against the result's
// own dataset list. The script runs here in node:vm against a minimal stand-in for the DOM it touches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { questionTarget, readReportMessage, renderReport } from '../../server/report/index';
import { PAGE_SCRIPT } from '../../server/report/page-assets';
import { makeResult } from './fixture';

const NONCE = 'abcdefghijklmnopqrstuvwx';

test('webview mode links every question to its dataset line; the standalone page has no links', () => {
  const result = makeResult({ instances: 3 });
  const standalone = renderReport(result, { nonce: NONCE });
  assert.doesNotMatch(standalone, /class="qlink"/);
  assert.equal(standalone, renderReport(result, { nonce: NONCE, webview: false }));
  const page = renderReport(result, { nonce: NONCE, cspSource: 'vscode-resource:', webview: true });
  const links = [
    ...page.matchAll(
      /<a href="#" class="qlink" data-dataset="(\d+)" data-line="(\d+)" title="Open ([^"]+)">([^<]*)<\/a>/g,
    ),
  ];
  assert.equal(links.length, result.records.length, 'one link per question row');
  const seen = links.map((m) => `${result.config.datasets[Number(m[1])]}:${m[2]}|${m[3]}`).sort();
  const expected = result.records.map((r) => `${r.dataset}:${r.line}|${r.dataset}:${r.line}`).sort();
  assert.deepEqual(seen, expected, 'each link names its record file and line');
  // Still under the strict CSP: no inline handlers, no remote URLs.
  assert.doesNotMatch(page, /\son[a-z]+=/i);
  assert.doesNotMatch(page.replaceAll('xmlns="http://www.w3.org/2000/svg"', ''), /https?:\/\//);
  assert.match(
    page,
    /http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;[^"]*vscode-resource:/,
  );
});

test('question text in a link is escaped', () => {
  const result = makeResult({ instances: 1 });
  const first = result.records[0];
  assert.ok(first);
  const evil = { ...result, records: [{ ...first, question: '<img src=x onerror=alert(1)>?' }] };
  const page = renderReport(evil, { nonce: NONCE, webview: true });
  assert.match(page, />&lt;img src=x onerror=alert\(1\)&gt;\?<\/a>/);
});

interface FakeEvent {
  target: { closest: (selector: string) => unknown };
  preventDefault: () => void;
}

/** Runs the page script with `document` reduced to what it touches; returns the click listener, if any. */
function runScript(inWebview: boolean, posted: unknown[]): ((e: FakeEvent) => void) | undefined {
  let listener: ((e: FakeEvent) => void) | undefined;
  const document = {
    getElementById: () => null, // no question table: the sorting and filtering part returns early
    addEventListener: (type: string, fn: (e: FakeEvent) => void) => {
      if (type === 'click') listener = fn;
    },
  };
  const context: Record<string, unknown> = { document };
  if (inWebview) context.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => posted.push(m) });
  runInNewContext(PAGE_SCRIPT, context);
  return listener;
}

test('the page script posts openQuestion for a question link in a webview, and nothing in a browser', () => {
  const posted: unknown[] = [];
  assert.equal(runScript(false, posted), undefined, 'a standalone page listens to no clicks');
  const click = runScript(true, posted);
  assert.ok(click);
  let prevented = 0;
  const link = { dataset: { dataset: '1', line: '7' } };
  click({ target: { closest: (s) => (s === 'a.qlink' ? link : null) }, preventDefault: () => prevented++ });
  click({ target: { closest: () => null }, preventDefault: () => prevented++ });
  assert.equal(prevented, 1, 'only the link click is taken over');
  assert.equal(posted.length, 1);
  assert.deepEqual(readReportMessage(JSON.parse(JSON.stringify(posted[0]))), {
    type: 'openQuestion',
    dataset: 1,
    line: 7,
  });
});

test('the host reads only a well-formed openQuestion and resolves it against the result', () => {
  for (const bad of [
    null,
    'openQuestion',
    { type: 'openQuestion', dataset: 0 },
    { type: 'openQuestion', dataset: -1, line: 3 },
    { type: 'openQuestion', dataset: 0, line: 0 },
    { type: 'openQuestion', dataset: 0.5, line: 3 },
    { type: 'openQuestion', dataset: 0, line: 3, file: '/etc/passwd' },
    { type: 'reveal', dataset: 0, line: 3 },
  ])
    assert.equal(readReportMessage(bad), null, JSON.stringify(bad));
  const datasets = ['/d/test-in-domain.ripple.jsonl', '/d/validation.ripple.jsonl'];
  assert.deepEqual(questionTarget(datasets, { type: 'openQuestion', dataset: 1, line: 4 }), {
    file: '/d/validation.ripple.jsonl',
    line: 4,
  });
  assert.equal(questionTarget(datasets, { type: 'openQuestion', dataset: 2, line: 4 }), null);
});
