// E2E scenario `walkthrough`: the first steps of "Get Started with PropMEND" in the installed .vsix, as a
// new user takes them: open the walkthrough from the palette (the workspace is an example copy, so step 1 is
// done), open the dataset with a mistake from the step's button, fix it with the quick fix (step 2 checks
// itself off), open the example spec from step 3's button and apply its edit (step 3 checks itself off).
// Removes the mistake file it made, so later runs and the extension-host suite see the workspace as seeded.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import type { Scenario } from '../scenarios';
import { UI_TIMEOUT_MS, type Workbench } from '../workbench';

/** The checker's first result after activation, and the first edit in a fresh sidecar, on a loaded VM. */
const CHECK_TIMEOUT_MS = 45_000;
const EDIT_TIMEOUT_MS = 180_000;
const MISTAKE = 'walkthrough/fix-me.ripple.jsonl';
const FIX = 'Change to "located_in"';

/** Opens the walkthrough (again) with its palette command and returns its page. */
async function showWalkthrough(wb: Workbench): Promise<Locator> {
  await wb.runCommand('PropMEND: Get Started');
  const page = wb.page.locator('.gettingStartedContainer');
  await page.getByText('Get Started with PropMEND').first().waitFor({ timeout: UI_TIMEOUT_MS });
  return page;
}

function stepOf(page: Locator, id: string): Locator {
  return page.locator(`button.getting-started-step[data-step-id$="#${id}"]`);
}

/** Whether the walkthrough shows a step as done: its check mark (the step's aria-checked follows it). */
async function isDone(page: Locator, id: string): Promise<boolean> {
  const step = stepOf(page, id);
  return (
    (await step.getAttribute('aria-checked')) === 'true' ||
    (await step.locator('.codicon-getting-started-step-checked, .complete').count()) > 0
  );
}

/** Waits until the walkthrough shows a step as done, else fails naming it (after a screenshot). */
async function waitDone(page: Locator, id: string, shot: (name: string) => Promise<void>): Promise<void> {
  await stepOf(page, id).waitFor({ timeout: UI_TIMEOUT_MS });
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while (!(await isDone(page, id))) {
    if (Date.now() > deadline) {
      await shot(`${id}-not-done`);
      throw new Error(`the walkthrough step "${id}" is not checked off`);
    }
    await page.page().waitForTimeout(250);
  }
}

/** Expands a step and clicks the button its description renders for a command link. */
async function clickStepButton(page: Locator, id: string, label: string): Promise<void> {
  await stepOf(page, id).click();
  const button = page.getByRole('button', { name: label, exact: true }).first();
  await button.waitFor({ timeout: UI_TIMEOUT_MS }).catch(() => {
    throw new Error(`the walkthrough step "${id}" shows no button "${label}"`);
  });
  await button.click();
}

export const walkthrough: Scenario = {
  name: 'walkthrough',
  timeoutMs: EDIT_TIMEOUT_MS + 120_000,
  async run({ wb, step, workspace }) {
    try {
      // Panels and editors of earlier scenarios stay out of the way (as in a fresh window).
      await wb.runCommand('View: Close All Editors');
      let page = await showWalkthrough(wb);
      // Step 1 is done by the workspace itself: it is a copy of the bundled examples.
      await waitDone(page, 'openExample', step);
      await step('opened');

      await clickStepButton(page, 'fixDiagnostic', 'Open a Dataset with a Mistake');
      await wb.editorTab('fix-me.ripple.jsonl').first().waitFor({ timeout: UI_TIMEOUT_MS });
      const squiggle = wb.page.locator('.editor-group-container.active .squiggly-error');
      await squiggle.first().waitFor({ timeout: CHECK_TIMEOUT_MS });
      await step('mistake');
      // Cursor to the problem of this file (Alt+F8; F8 would go to the next problem in any file), close its
      // peek, Ctrl+. and the did-you-mean fix.
      await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
      await wb.page.keyboard.press('Alt+F8');
      await wb.page.keyboard.press('Escape');
      await wb.page.keyboard.press('Control+.');
      const fix = wb.page.locator('.action-widget').getByText(FIX, { exact: true });
      await fix.waitFor({ timeout: UI_TIMEOUT_MS }).catch(() => {
        throw new Error(`Ctrl+. on the mistake offers no quick fix "${FIX}"`);
      });
      await step('quick-fix');
      await wb.page.keyboard.press('Enter');
      await squiggle.first().waitFor({ state: 'detached', timeout: CHECK_TIMEOUT_MS });
      page = await showWalkthrough(wb);
      await waitDone(page, 'fixDiagnostic', step);
      await step('diagnostic-fixed');

      await clickStepButton(page, 'applyEdit', 'Open the Edit Spec');
      await wb.editorTab('new-person.edit.json').first().waitFor({ timeout: UI_TIMEOUT_MS });
      await wb.runCommand('PropMEND: Apply Edit');
      const rows = wb.webview().locator('[data-testid=diff-row]');
      await rows.first().waitFor({ timeout: EDIT_TIMEOUT_MS });
      await step('edit-applied');
      page = await showWalkthrough(wb);
      await waitDone(page, 'applyEdit', step);
      await stepOf(page, 'readDiff').click();
      await step('edit-step-done');
    } finally {
      // The fix was never saved; the file goes, so the workspace copy is as seeded for what runs next.
      // The diff panel is the active editor by now: bring the mistake's tab to the front first.
      await wb.activateTab('fix-me.ripple.jsonl').catch(() => undefined);
      await wb.runCommand('View: Revert and Close Editor').catch(() => undefined);
      rmSync(join(workspace, MISTAKE), { force: true });
      rmSync(join(workspace, 'walkthrough'), { recursive: true, force: true });
    }
  },
};
