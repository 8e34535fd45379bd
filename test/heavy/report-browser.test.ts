// The HTML report in a real browser: a page rendered from a generated result (one question carrying markup)
// opens in headless Debian Chromium through playwright-core with no CSP violation or script error, shows
// the comparison table, the charts' bars and every question, and its filters and sorting work.
// A screenshot goes to test-results/report.png. Needs /usr/bin/chromium (`apt-get install chromium`).
// Heavy ring: starting Chromium alone takes 2-20 s on the shared 2-core machine; test/report/report.test.ts
// checks the same page without a browser in the default ring.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderReport } from '../../server/report/index';
import { makeResult } from '../report/fixture';
import { CHROMIUM, launchChromium } from '../support/chromium';

const root = resolve(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'propmend-report-browser-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the report renders in headless Chromium: table, bars, filters, sorting, no script from the data', async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: the report's browser test needs Debian's chromium (sudo apt-get install -y chromium)`,
  );
  const hostile = 'Who </script><img src=x onerror="document.title=1"> is it?';
  const run = makeResult({
    methods: ['base', 'prepend', 'mend', 'propmend'],
    instances: 6,
    firstQuestion: hostile,
  });
  const file = join(dir, 'report.html');
  writeFileSync(file, renderReport(run));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request to ${r.url()}`);
    });
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.locator('#summary tbody tr').count(), 2 * 4);
    assert.equal(await page.locator('svg.chart').count(), 3);
    assert.equal(await page.locator('svg.chart rect.bar').count(), 3 * 2 * 4);
    const bar = page.locator('svg.chart rect.bar[data-method="propmend"]').first();
    assert.ok(((await bar.boundingBox())?.height ?? 0) > 0, 'bars have a height');
    const rows = page.locator('#questions tbody tr');
    assert.equal(await rows.count(), run.records.length);
    assert.equal(await page.locator('img').count(), 0, 'markup in a question stays text');
    assert.ok((await page.locator('#questions').textContent())?.includes('</script><img src=x'));
    assert.equal(await page.title(), 'PropMEND evaluation report');

    const visible = () => page.locator('#questions tbody tr:not([hidden])').count();
    const count = (f: (r: (typeof run.records)[number]) => boolean) => run.records.filter(f).length;
    await page.selectOption('#f-method', 'propmend');
    assert.equal(
      await visible(),
      count((r) => r.method === 'propmend'),
    );
    await page.selectOption('#f-kind', 'non-verbatim');
    await page.selectOption('#f-correct', '1');
    const expected = count((r) => r.method === 'propmend' && r.kind === 'non-verbatim' && r.exact_match);
    assert.equal(await visible(), expected);
    assert.equal(await page.textContent('#shown'), `${expected} of ${run.records.length} questions shown`);
    await page.selectOption('#f-method', '');
    await page.selectOption('#f-kind', '');
    await page.selectOption('#f-correct', '');
    await page.fill('#f-text', 'person 3 of test-ood-entity');
    assert.equal(
      await visible(),
      count((r) => r.question.includes('person 3 of test-ood-entity')),
    );
    await page.fill('#f-text', '');

    // Sorting by the log-prob column (keyboard: focus the heading's button and press Enter) twice: descending.
    const sortButton = page.locator('#questions thead th:last-child button');
    await sortButton.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#questions thead th:last-child', 'aria-sort'), 'descending');
    const firstValue = Number(
      await page.getAttribute('#questions tbody tr:first-child td:last-child', 'data-v'),
    );
    assert.equal(firstValue, Math.max(...run.records.map((r) => r.logprob_after)));

    await page.selectOption('#f-split', 'test-in-domain');
    await page.selectOption('#f-method', 'propmend');
    await page.evaluate(() => window.scrollTo(0, 0));
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-results', 'report.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no CSP violation, script error or network request');
  } finally {
    await browser.close();
  }
});
