// The E2E scenarios: what a user does with PropMEND in VS Code, step by step, with a screenshot per step.
// Each scenario may seed the workspace copy before the workbench opens (never examples/ itself) and then
// acts only through the UI. They run in order in one workbench; a later one may build on an earlier one.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from './scenarios/evaluate';
import { formScenario } from './scenarios/form';
import { train } from './scenarios/train';
import { walkthrough } from './scenarios/walkthrough';
import { repoRoot, SetupError } from './setup';
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
  fix: 'Change to "located_in"',
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
    // The fix a user takes: open the problem, Ctrl+. and the did-you-mean quick fix; the row goes away.
    await row.click();
    await wb.page.keyboard.press('Enter');
    await wb.page.keyboard.press('Control+.');
    const fix = wb.page.locator('.action-widget').getByText(TYPO.fix, { exact: true });
    await fix.waitFor({ timeout: UI_TIMEOUT_MS }).catch(() => {
      throw new Error(`Ctrl+. on the problem offers no quick fix "${TYPO.fix}"`);
    });
    await step('quick-fix');
    // The menu blocks the pointer while it opens; a user's Enter takes its focused (first) action.
    const first =
      (await wb.page.locator('.action-widget .monaco-list-row.action').first().textContent()) ?? '';
    if (!first.includes(TYPO.fix)) throw new Error(`the first quick fix is "${first}", not "${TYPO.fix}"`);
    await wb.page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached', timeout: DIAGNOSTICS_TIMEOUT_MS }).catch(() => {
      throw new Error(`the problem "${TYPO.message}" stays after its quick fix`);
    });
    await step('fixed');
    // Leave the file as seeded (the fix was never saved): later scenarios and the host suite expect the typo.
    await wb.runCommand('File: Revert File');
    await row.waitFor({ timeout: DIAGNOSTICS_TIMEOUT_MS });
  },
};

/** The example edit spec the editing scenarios apply, and what the CLI computes for it. */
const SPEC = 'new-person.edit.json';
/** Model load, graph compiles and the edit in the sidecar on a loaded 2-core VM. */
const EDIT_TIMEOUT_MS = 180_000;

interface CliQuestion {
  kind: 'verbatim' | 'nonverbatim' | 'locality';
  question: string;
  before: string;
  after: string;
  correct_before: boolean;
  correct_after: boolean;
}

let expected: CliQuestion[] | undefined;

/** `propmend edit SPEC --json` on the repository's spec: the answers the panel must show. */
function cliEdit(): CliQuestion[] {
  if (expected) return expected;
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'bin', 'propmend.js'), 'edit', join(repoRoot, 'examples', SPEC), '--json'],
    { cwd: repoRoot, encoding: 'utf8', maxBuffer: 16 << 20 },
  );
  if (result.status !== 0) throw new Error(`propmend edit ${SPEC} --json failed: ${result.stderr}`);
  expected = (JSON.parse(result.stdout) as { questions: CliQuestion[] }).questions;
  if (expected.length === 0) throw new Error(`propmend edit ${SPEC} reported no questions`);
  return expected;
}

const GROUP_OF = { verbatim: 'verbatim', nonverbatim: 'non-verbatim', locality: 'locality' } as const;
const mark = (correct: boolean) => (correct ? '✓' : '✗');

interface PanelRow {
  group: string;
  change: string;
  question: string;
  before: string;
  after: string;
}

const applyEdit: Scenario = {
  name: 'apply-edit',
  timeoutMs: EDIT_TIMEOUT_MS + 60_000,
  seed: () => void cliEdit(),
  async run({ wb, step }) {
    const questions = cliEdit();
    await wb.openFile(SPEC);
    await wb.runCommand('PropMEND: Apply Edit', () => step('palette'));
    await wb.editorTab('PropMEND: Propagation Diff').first().waitFor({ timeout: EDIT_TIMEOUT_MS });
    const panel = wb.webview();
    const rows = panel.locator('[data-testid=diff-row]');
    await rows.first().waitFor({ timeout: EDIT_TIMEOUT_MS });
    await step('diff-panel');
    // No named inner functions: tsx's transform would wrap them in a helper the webview does not have.
    const shown: PanelRow[] = await rows.evaluateAll((trs) =>
      trs.map((tr) => ({
        group: (tr as HTMLElement).dataset['group'] ?? '',
        change: (tr as HTMLElement).dataset['change'] ?? '',
        question: (tr.querySelector('[data-testid=diff-question]')?.textContent ?? '').trim(),
        before: (tr.querySelector('[data-testid=diff-before]')?.textContent ?? '').trim(),
        after: (tr.querySelector('[data-testid=diff-after]')?.textContent ?? '').trim(),
      })),
    );
    if (shown.length !== questions.length) {
      throw new Error(`the panel shows ${shown.length} rows, the CLI reports ${questions.length} questions`);
    }
    for (const q of questions) {
      const row = shown.find((r) => r.question.includes(q.question));
      if (!row) throw new Error(`no panel row for "${q.question}"`);
      const problems = [
        row.group === GROUP_OF[q.kind] ? null : `group ${row.group}, expected ${GROUP_OF[q.kind]}`,
        row.before.startsWith(mark(q.correct_before)) && row.before.includes(q.before)
          ? null
          : `before "${row.before}", expected ${mark(q.correct_before)} ${q.before}`,
        row.after.startsWith(mark(q.correct_after)) && row.after.includes(q.after)
          ? null
          : `after "${row.after}", expected ${mark(q.correct_after)} ${q.after}`,
      ].filter((p) => p !== null);
      if (problems.length) throw new Error(`row "${q.question}": ${problems.join('; ')}`);
    }
    const summary = (await panel.locator('[data-testid=diff-summary]').textContent()) ?? '';
    if (!/efficacy/.test(summary)) throw new Error(`the panel's summary line says "${summary}"`);
    const fixed = questions.filter((q) => !q.correct_before && q.correct_after).length;
    if (shown.filter((r) => r.change === 'fixed').length !== fixed) {
      throw new Error(
        `the panel marks ${shown.filter((r) => r.change === 'fixed').length} rows fixed, expected ${fixed}`,
      );
    }
  },
};

const inlineResults: Scenario = {
  name: 'inline-results',
  timeoutMs: 60_000,
  async run({ wb, step }) {
    const questions = cliEdit();
    // One editor group, so the spec is as wide as the window and its line ends (the results) are in view.
    await wb.runCommand('View: Single Column Editor Layout');
    await wb.activateTab(SPEC);
    const specText = readFileSync(join(repoRoot, 'examples', SPEC), 'utf8').split('\n');
    for (const q of questions) {
      const line = specText.findIndex((l) => l.includes(JSON.stringify(q.question)));
      if (line < 0) throw new Error(`${SPEC} has no line with "${q.question}"`);
      await wb.goToLine(line + 1);
      const want = q.correct_after ? '✓' : `✗ ${q.after}`;
      const deadline = Date.now() + UI_TIMEOUT_MS;
      let texts: string[] | undefined;
      for (;;) {
        texts = await wb.decorationsOnLine(q.question);
        if (texts?.some((t) => t.trim() === want) || Date.now() > deadline) break;
        await wb.page.waitForTimeout(250);
      }
      if (!texts?.some((t) => t.trim() === want)) {
        throw new Error(
          `line ${line + 1} ("${q.question}") shows [${texts?.join(', ') ?? 'no such line'}], expected "${want}"`,
        );
      }
    }
    await wb.goToLine(specText.findIndex((l) => l.includes('"propagation"')) + 1);
    await step('decorations');
  },
};

/** The instance the Test Explorer scenario runs, and its question count. */
const TEST_FILE = 'test-in-domain.ripple.jsonl';
const TEST_INSTANCE = 'test-in-domain-1';

const testExplorer: Scenario = {
  name: 'test-explorer',
  timeoutMs: EDIT_TIMEOUT_MS + 60_000,
  async run({ wb, workspace, step }) {
    const line = readFileSync(join(workspace, 'dataset', TEST_FILE), 'utf8')
      .split('\n')
      .find((l) => l.includes(`"id":"${TEST_INSTANCE}"`));
    if (!line) throw new Error(`${TEST_FILE} has no instance ${TEST_INSTANCE}`);
    const instance = JSON.parse(line) as { propagation: unknown[]; locality?: unknown[] };
    const questionCount = instance.propagation.length + (instance.locality?.length ?? 0);
    await wb.runCommand('Testing: Focus on Test Explorer View');
    const tree = wb.page.locator('.test-explorer');
    const fileRow = tree.locator('.monaco-list-row', { hasText: TEST_FILE }).first();
    await fileRow.waitFor({ timeout: UI_TIMEOUT_MS });
    if ((await fileRow.getAttribute('aria-expanded')) !== 'true') await fileRow.click();
    const instanceRow = tree.locator('.monaco-list-row', { hasText: TEST_INSTANCE }).first();
    await instanceRow.waitFor({ timeout: UI_TIMEOUT_MS });
    await instanceRow.hover();
    await instanceRow.locator('.action-label[aria-label^="Run Test"]').click();
    const done = instanceRow.locator('.codicon-testing-passed-icon, .codicon-testing-failed-icon');
    await done.first().waitFor({ timeout: EDIT_TIMEOUT_MS });
    if ((await instanceRow.getAttribute('aria-expanded')) !== 'true') await instanceRow.click();
    const results = tree.locator(
      '.monaco-list-row[aria-level="3"] :is(.codicon-testing-passed-icon, .codicon-testing-failed-icon)',
    );
    const deadline = Date.now() + UI_TIMEOUT_MS;
    while ((await results.count()) < questionCount && Date.now() < deadline)
      await wb.page.waitForTimeout(250);
    const count = await results.count();
    if (count !== questionCount) {
      throw new Error(`${TEST_INSTANCE} shows ${count} question results, it has ${questionCount} questions`);
    }
    await step('test-results');
  },
};

const revert: Scenario = {
  name: 'revert',
  timeoutMs: 60_000,
  async run({ wb, step }) {
    await wb.runCommand('PropMEND: Revert All Edits');
    const text = await wb.notification(/PropMEND: reverted .*; 0 edits left/, 30_000);
    if (!text.includes('Hioltheth Thastas'))
      throw new Error(`the revert notification names no spec edit: ${text}`);
    // The screenshot shows the result, not the progress notification on its way out.
    await wb.page
      .locator('.notification-list-item-message', { hasText: /^PropMEND: Revert All Edits$/ })
      .waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS })
      .catch(() => undefined);
    await step('reverted');
  },
};

/** Every scenario, in the order they build on each other. */
export const ALL_SCENARIOS: Scenario[] = [
  diagnostics,
  applyEdit,
  inlineResults,
  testExplorer,
  revert,
  // Right after Revert All: its "apply an edit" step is checked off when the model goes from no edits to one.
  walkthrough,
  formScenario,
  train,
  evaluate,
];

/**
 * The suite `npm run test:e2e` runs: all of them; PROPMEND_E2E_SCENARIOS=name,name runs the named ones
 * instead (for a developer iterating on one feature).
 */
export function selectedScenarios(): Scenario[] {
  const names = process.env['PROPMEND_E2E_SCENARIOS']?.split(',').filter(Boolean);
  if (!names) return ALL_SCENARIOS;
  const unknown = names.filter((n) => !ALL_SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    throw new SetupError(
      `unknown scenario ${unknown.join(', ')} in PROPMEND_E2E_SCENARIOS; valid: ${ALL_SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  return ALL_SCENARIOS.filter((s) => names.includes(s.name));
}
