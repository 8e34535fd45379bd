// E2E: a short meta-training run in the training view. Opens the copied examples' train-smoke.json (no
// paths: the shipped model and world), runs "PropMEND: Train Hypernetwork…" and picks it, waits for the
// curves (training losses, then a validation point) with steps/s and time left, stops the run and checks
// the panel says stopped and offers the best checkpoint. Screenshots of each step.
import type { Scenario } from '../scenarios';
import { UI_TIMEOUT_MS } from '../workbench';

const CONFIG = 'train-smoke.json';
const COMMAND = 'PropMEND: Train Hypernetwork…';
/** Sidecar start, model load, graph compiles and ten steps plus one validation on a loaded 2-core VM. */
const CURVES_TIMEOUT_MS = 180_000;

export const train: Scenario = {
  name: 'train',
  timeoutMs: CURVES_TIMEOUT_MS + 120_000,
  async run({ wb, step }) {
    await wb.openFile(CONFIG);
    // The command opens its own picker right after the palette closes, so it is driven here key by key.
    await wb.page.keyboard.press('F1');
    const input = wb.page.locator('.quick-input-widget');
    await input.waitFor({ timeout: UI_TIMEOUT_MS });
    await wb.page.keyboard.type(`>${COMMAND}`);
    const commandRow = input
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: wb.page.locator('.label-name', { hasText: COMMAND }) })
      .first();
    await commandRow.waitFor({ timeout: UI_TIMEOUT_MS }).catch(() => {
      throw new Error(`the command palette has no command titled "${COMMAND}"`);
    });
    await commandRow.click();
    const configRow = input
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: wb.page.locator('.label-name', { hasText: CONFIG }) })
      .first();
    await configRow.waitFor({ timeout: UI_TIMEOUT_MS }).catch(() => {
      throw new Error(`the training-config picker does not offer ${CONFIG}`);
    });
    await step('pick-config');
    await configRow.click();
    await wb.editorTab('PropMEND: Training').first().waitFor({ timeout: UI_TIMEOUT_MS });
    const panel = wb.webview();
    const points = async (id: string) =>
      Number((await panel.locator(`[data-testid=train-chart-${id}]`).getAttribute('data-points')) ?? '0');
    const deadline = Date.now() + CURVES_TIMEOUT_MS;
    while ((await points('loss').catch(() => 0)) < 12 || (await points('validation').catch(() => 0)) < 1) {
      if (Date.now() > deadline) {
        const state = await panel
          .locator('[data-testid=train-state]')
          .textContent()
          .catch(() => null);
        throw new Error(`no curves after ${CURVES_TIMEOUT_MS / 1000} s; the panel says "${state}"`);
      }
      await wb.page.waitForTimeout(500);
    }
    const drawn = await panel.locator('[data-testid=train-chart-loss] path.line').count();
    if (drawn < 2) throw new Error(`the loss chart draws ${drawn} curves, expected edit loss and total`);
    const rate = (await panel.locator('[data-testid=train-rate]').textContent()) ?? '';
    const left = (await panel.locator('[data-testid=train-left]').textContent()) ?? '';
    if (!/^\d+\.\d\d steps\/s$/.test(rate) || !/left$/.test(left))
      throw new Error(`steps/s "${rate}" and time left "${left}" are not shown`);
    await step('curves');
    await panel.locator('[data-testid=train-stop]').click();
    await panel
      .locator('[data-testid=train-state][data-state=stopped]')
      .waitFor({ timeout: UI_TIMEOUT_MS * 4 })
      .catch(async () => {
        const state = await panel.locator('[data-testid=train-state]').textContent();
        throw new Error(`after Stop the panel says "${state}"`);
      });
    const checkpoint = (await panel.locator('[data-testid=train-checkpoint]').textContent()) ?? '';
    if (!checkpoint.endsWith('best/hypernet.safetensors'))
      throw new Error(`the stopped run offers checkpoint "${checkpoint}"`);
    await panel.locator('[data-testid=train-use]').waitFor({ timeout: UI_TIMEOUT_MS });
    await step('stopped');
  },
};
