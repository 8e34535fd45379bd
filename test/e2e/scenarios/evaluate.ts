// E2E: the evaluation view. With a split open, `PropMEND: Evaluate Dataset…` offers it picked, base, mend
// and propmend picked, and asks the instances per file; the run (in the sidecar, on the shipped model) writes
// its result under .propmend/eval/ and opens the report page in a webview; a question link opens the dataset
// at its instance's line, by mouse and by keyboard (the focused link and Enter).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenarios';
import { UI_TIMEOUT_MS, type Workbench } from '../workbench';

/** A split the other scenarios leave untouched (validation carries the diagnostics scenario's typo). */
const SPLIT = 'dataset/test-in-domain.ripple.jsonl';
const FILE = 'test-in-domain.ripple.jsonl';
const METHODS = ['base', 'mend', 'propmend'];
/** Runtime start, model load, checker and 2 instances × 3 methods on a loaded 2-core VM. */
const EVAL_TIMEOUT_MS = 90_000;

/** Waits until the status bar's cursor item of the active editor says line `line`. */
async function cursorOnLine(wb: Workbench, line: number): Promise<void> {
  const item = wb.page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).first();
  const deadline = Date.now() + UI_TIMEOUT_MS;
  let text = '';
  while (Date.now() < deadline) {
    text = ((await item.textContent().catch(() => '')) ?? '').trim();
    if (text.startsWith(`Ln ${line},`)) return;
    await wb.page.waitForTimeout(200);
  }
  throw new Error(`the cursor should be on line ${line} of ${FILE}; the status bar says "${text}"`);
}

/** Presses Enter in the quick input once it shows `title`. */
async function accept(wb: Workbench, title: string): Promise<void> {
  const widget = wb.page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: UI_TIMEOUT_MS });
  await widget.locator('input').first().focus();
  await wb.page.keyboard.press('Enter');
}

export const evaluate: Scenario = {
  name: 'evaluate',
  timeoutMs: EVAL_TIMEOUT_MS + 60_000,
  async run({ wb, workspace, step }) {
    await wb.openFile(SPLIT);
    await wb.page.locator('.monaco-workbench').focus();
    await wb.page.keyboard.press('F1');
    await wb.page.locator('.quick-input-widget input').fill('>PropMEND: Evaluate Dataset…');
    const command = wb.page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'PropMEND: Evaluate Dataset…' })
      .first();
    await command.waitFor({ timeout: UI_TIMEOUT_MS });
    await command.click();
    // The open split is the one picked.
    const widget = wb.page.locator('.quick-input-widget');
    await widget
      .locator('.quick-input-title', { hasText: 'dataset files' })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    const checked = widget.locator('.quick-input-list .monaco-list-row[aria-checked="true"]');
    await checked.first().waitFor({ timeout: UI_TIMEOUT_MS });
    const files = await checked.allTextContents();
    if (files.length !== 1 || !files[0]?.includes(FILE))
      throw new Error(`the dataset pick should have only ${FILE} checked, has [${files.join(' | ')}]`);
    await step('pick-datasets');
    await accept(wb, 'dataset files');
    await widget.locator('.quick-input-title', { hasText: 'methods' }).waitFor({ timeout: UI_TIMEOUT_MS });
    // (.label-name also matches a row's detail line; keep the method names)
    const methods = (await checked.locator('.label-name').allTextContents())
      .map((t) => t.trim())
      .filter((t) => !t.startsWith('split:'));
    if (methods.join(',') !== METHODS.join(','))
      throw new Error(`the default methods should be ${METHODS.join(', ')}, are ${methods.join(', ')}`);
    await step('pick-methods');
    await accept(wb, 'methods');
    await widget
      .locator('.quick-input-title', { hasText: 'instances per file' })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await widget.locator('input').first().fill('2');
    await wb.page.keyboard.press('Enter');

    await wb.editorTab('PropMEND Evaluation: test-in-domain').first().waitFor({ timeout: EVAL_TIMEOUT_MS });
    // The visible webview (the diff panel of earlier scenarios may be open but hidden in another tab).
    const page = wb.page
      .locator('iframe.webview.ready:visible')
      .last()
      .contentFrame()
      .frameLocator('iframe#active-frame');
    const summary = page.locator('#summary tbody tr');
    await summary.first().waitFor({ timeout: UI_TIMEOUT_MS });
    const rows = await summary.allTextContents();
    for (const m of METHODS)
      if (!rows.some((r) => r.includes(m) && r.includes('test-in-domain')))
        throw new Error(
          `the report's comparison table has no ${m} row for test-in-domain: ${rows.join(' | ')}`,
        );
    const out = join(workspace, '.propmend', 'eval');
    const runs = existsSync(out) ? readdirSync(out) : [];
    if (!runs.some((r) => existsSync(join(out, r, `eval-${METHODS.join('+')}.json`))))
      throw new Error(`no result file eval-${METHODS.join('+')}.json under ${out}`);
    await step('report');

    // Mouse: a question of the second instance opens the split at line 2.
    const second = page.locator('a.qlink[data-line="2"]').first();
    await second.scrollIntoViewIfNeeded();
    await step('question-rows');
    await second.click();
    await wb.editorTab(FILE).first().waitFor({ timeout: UI_TIMEOUT_MS });
    await cursorOnLine(wb, 2);
    await step('dataset-at-line-2');

    // Keyboard: focus a question of the first instance and press Enter.
    await wb.activateTab('PropMEND Evaluation: test-in-domain');
    const first = page.locator('a.qlink[data-line="1"]').first();
    await first.press('Enter');
    await cursorOnLine(wb, 1);
    await step('dataset-at-line-1-by-keyboard');
  },
};
