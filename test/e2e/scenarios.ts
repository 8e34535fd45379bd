// The E2E scenarios: what a user does with PropMEND in VS Code, step by step, with a screenshot per step.
// Each scenario may seed the workspace copy before the workbench opens (never examples/ itself) and then
// acts only through the UI. They run in order in one workbench; a later one may build on an earlier one.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UI_TIMEOUT_MS, type Workbench } from './workbench';

/** The language server's first check after activation on a loaded 2-core VM. */
const DIAGNOSTICS_TIMEOUT_MS = 45_000;

export interface ScenarioContext {
  wb: Workbench;
  workspace: string;
  /** Saves a screenshot of the step just done. */
  step(name: string): Promise<void>;
}

export interface Scenario {
  name: string;
  timeoutMs: number;
  /** Changes the workspace copy before the workbench opens. */
  seed?(workspace: string): void;
  run(ctx: ScenarioContext): Promise<void>;
}

/** A typo a user makes in a relation path, and the message the checker gives for it. */
const TYPO = {
  file: 'dataset/validation.ripple.jsonl',
  from: '"path":["lives_in","located_in"]',
  to: '"path":["lives_in","locatd_in"]',
  message: 'unknown relation "locatd_in" in the path of propagation[1]; did you mean "located_in"?',
};

const diagnostics: Scenario = {
  name: 'diagnostics',
  timeoutMs: 120_000,
  seed(workspace) {
    const path = join(workspace, TYPO.file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(TYPO.from)) throw new Error(`${TYPO.file} no longer contains ${TYPO.from}`);
    writeFileSync(path, text.replace(TYPO.from, TYPO.to));
  },
  async run({ wb, step }) {
    await wb.openFile(TYPO.file);
    const squiggle = wb.page.locator('.editor-group-container.active .squiggly-error');
    await squiggle.first().waitFor({ timeout: DIAGNOSTICS_TIMEOUT_MS });
    await step('squiggle');
    const panel = await wb.showProblems();
    const row = panel.locator('.monaco-list-row', { hasText: TYPO.message });
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    if ((await row.locator('.codicon-error').count()) !== 1) {
      throw new Error(`the Problems row "${TYPO.message}" is not shown as an error`);
    }
    const fileRow = panel.locator('.monaco-list-row', { hasText: 'validation.ripple.jsonl' });
    await fileRow.first().waitFor({ timeout: UI_TIMEOUT_MS });
    await step('problems-panel');
  },
};

export const SCENARIOS: Scenario[] = [diagnostics];
