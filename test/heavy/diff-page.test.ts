// The propagation diff page in a real browser (Debian's headless Chromium): the built bundle renders the
// rows a `show` message carries, clicks and Enter post `reveal` intents, the filter narrows the rows and is
// kept in the webview state, and a page reloaded with that state shows the rows again without a message.
// Needs `node esbuild.js` output (dist/webviews/) and /usr/bin/chromium (CI installs it). Heavy ring: a
// headless browser start takes seconds on a loaded machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import type { DiffReport, DiffRow } from '../../webviews/diff/messages';
import { CHROMIUM } from '../support/chromium';

const root = resolve(__dirname, '..', '..');
/** A headless page load with its scripted steps; more means the browser hung. */
const BROWSER_TIMEOUT_MS = 60_000;
const work = mkdtempSync(join(tmpdir(), 'propmend-diff-page-'));
after(() => rmSync(work, { recursive: true, force: true }));

function row(id: string, group: DiffRow['group'], change: DiffRow['change'], question: string): DiffRow {
  return {
    id,
    group,
    question,
    gold: 'Tessel',
    before: 'Sarnow',
    after: change === 'fixed' ? 'Tessel' : 'Sarnow',
    correctBefore: false,
    correctAfter: change === 'fixed',
    logprobBefore: -3,
    logprobAfter: -0.5,
    change,
    location: { file: '/ws/x.edit.json', line: 3, character: 18 },
  };
}

const report: DiffReport = {
  fact: 'Marta Quill works for Cobalt Labs.',
  method: 'propmend',
  source: 'x.edit.json',
  patchId: 'p1',
  rows: [
    row('verbatim-1', 'verbatim', 'fixed', 'Which company does Marta Quill work for?'),
    row('non-verbatim-1', 'non-verbatim', 'still-wrong', 'In which city is her employer?'),
    row('locality-1', 'locality', 'fixed', 'What is the capital of Drunmark?'),
  ],
  scores: [
    { group: 'verbatim', total: 1, rightBefore: 0, rightAfter: 1 },
    { group: 'non-verbatim', total: 1, rightBefore: 0, rightAfter: 0 },
    { group: 'locality', total: 1, rightBefore: 0, rightAfter: 1 },
  ],
  timingsMs: { capture: 12, transform: 3, answering: 400 },
  elapsedMs: 600,
};

/** Loads the page with a stub VS Code API and `steps`, and returns what the steps put in document.title. */
function runPage(saved: unknown, steps: string): Record<string, unknown> {
  for (const f of ['diff.js', 'diff.css', 'vscode-elements.js'])
    copyFileSync(join(root, 'dist', 'webviews', f), join(work, f));
  const html = `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="diff.css">
<script>
window.__posted = []; window.__state = ${JSON.stringify(saved ?? null)};
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state ?? undefined, setState: (s) => { window.__state = s; } });
</script></head><body><main id="root"></main>
<script type="module" src="vscode-elements.js"></script><script src="diff.js"></script>
<script>
const rows = () => [...document.querySelectorAll('tr[data-testid="diff-row"]')].map((r) => r.dataset.rowId);
const out = {};
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => { try { ${steps} } catch (e) { out.error = String(e); } document.title = JSON.stringify(out); })();
</script></body></html>`;
  writeFileSync(join(work, 'index.html'), html);
  const result = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--allow-file-access-from-files',
      `--user-data-dir=${join(work, 'profile')}`,
      '--virtual-time-budget=5000',
      '--dump-dom',
      `file://${join(work, 'index.html')}`,
    ],
    { encoding: 'utf8', timeout: BROWSER_TIMEOUT_MS },
  );
  const title = /<title>([\s\S]*?)<\/title>/.exec(result.stdout)?.[1];
  assert.ok(title, `no result from the page (status ${result.status}): ${result.stderr.slice(-2000)}`);
  const decoded = title
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
  return JSON.parse(decoded) as Record<string, unknown>;
}

test('the page renders, reveals rows by click and Enter, filters, and keeps its state', {
  timeout: 2 * BROWSER_TIMEOUT_MS,
}, () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`,
  );
  assert.ok(existsSync(join(root, 'dist', 'webviews', 'diff.js')), 'run `node esbuild.js` first');
  const first = runPage(
    null,
    `out.empty = !!document.querySelector('[data-testid="diff-empty"]');
     window.postMessage({ type: 'show', report: ${JSON.stringify(report)} }, '*');
     await wait(300);
     out.rows = rows();
     out.summary = document.querySelector('[data-testid="diff-summary"]').textContent;
     out.groups = [...document.querySelectorAll('table')].map((t) => t.dataset.testid);
     out.after = document.querySelector('tr[data-row-id="verbatim-1"] [data-testid="diff-after"]').textContent;
     document.querySelector('tr[data-row-id="verbatim-1"]').click();
     document.querySelector('tr[data-row-id="locality-1"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
     const filter = document.querySelector('[data-testid="diff-filter"]');
     filter.value = 'capital';
     filter.dispatchEvent(new Event('input', { bubbles: true }));
     await wait(100);
     out.filtered = rows();
     out.posted = window.__posted;
     out.state = window.__state.view;`,
  );
  assert.equal(first.error, undefined);
  assert.equal(first.empty, true);
  assert.deepEqual(first.rows, ['verbatim-1', 'non-verbatim-1', 'locality-1']);
  assert.match(
    String(first.summary),
    /^verbatim efficacy 100% \(0\/1 → 1\/1\) · non-verbatim efficacy 0% \(0\/1 → 0\/1\) · specificity 100%/,
  );
  assert.deepEqual(first.groups, ['diff-group-verbatim', 'diff-group-non-verbatim', 'diff-group-locality']);
  assert.equal(first.after, '✓ Tessel');
  assert.deepEqual(first.posted, [
    { type: 'ready' },
    { type: 'reveal', rowId: 'verbatim-1' },
    { type: 'reveal', rowId: 'locality-1' },
  ]);
  assert.deepEqual(first.filtered, ['locality-1']);
  assert.equal((first.state as { text: string }).text, 'capital');
  // Hidden and restored: the page comes back from its state alone, filter included.
  const restored = runPage(
    { report, view: first.state },
    'await wait(300); out.rows = rows(); out.posted = window.__posted;',
  );
  assert.deepEqual(restored.rows, ['locality-1']);
  assert.deepEqual(restored.posted, [{ type: 'ready' }]);
});
