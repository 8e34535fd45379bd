// The edit-spec form scenario: open an example spec with the form, change the fact in the form, see the
// text change in the text editor ("Open as Text"), undo and redo there, see the form follow the text, see a
// diagnostic next to the field it is about, save, see a schema error of a new row reported once, revert,
// and apply the edit from the form's button (the propagation diff opens).
// Screenshots of each step. Acts only through the UI; reads the workspace copy on disk only to check Save.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { Scenario } from '../scenarios';
import { UI_TIMEOUT_MS, type Workbench } from '../workbench';

const SPEC = 'marta-quill.edit.json';
const OLD_FACT = 'Marta Quill works for Cobalt Labs.';
/** Names "Vantis", the answer of propagation[1] (labelled non-verbatim): the checker flags that row. */
const NEW_FACT = 'Marta Quill works for Cobalt Labs in Vantis.';
/** The language server's check after a change, on a loaded 2-core VM. */
const DIAGNOSTICS_TIMEOUT_MS = 45_000;
/** Model load, graph compiles and the edit in the sidecar on a loaded 2-core VM. */
const EDIT_TIMEOUT_MS = 180_000;

/** The form's frame: the visible webview (the scenario closes every other editor first). */
function form(wb: Workbench): FrameLocator {
  return wb.page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
}

async function fieldValue(frame: FrameLocator, key: string): Promise<string> {
  return frame
    .locator(`[data-testid="field-${key}"]`)
    .evaluate((el) => String((el as HTMLElement & { value: unknown }).value ?? ''));
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = UI_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function activeEditorText(wb: Workbench): Promise<string> {
  const text = await wb.page.locator('.editor-group-container.active .view-lines').textContent();
  return (text ?? '').replaceAll('\u00a0', ' ');
}

export const formScenario: Scenario = {
  name: 'form',
  timeoutMs: 150_000 + EDIT_TIMEOUT_MS,
  async run({ wb, workspace, step }) {
    const onDisk = readFileSync(join(workspace, SPEC), 'utf8');
    if (!onDisk.includes(OLD_FACT)) throw new Error(`${SPEC} no longer holds the fact "${OLD_FACT}"`);
    await wb.runCommand('View: Close All Editors');
    await wb.openFile(SPEC);
    await wb.runCommand('PropMEND: Open with Form');
    const frame = form(wb);
    const fact = frame.locator('[data-testid="field-fact"]');
    await fact.waitFor({ timeout: UI_TIMEOUT_MS }).catch(() => {
      throw new Error('"PropMEND: Open with Form" shows no form with a fact field');
    });
    await waitFor('the form shows the spec', async () => (await fieldValue(frame, 'fact')) === OLD_FACT);
    const questions = await frame.locator('[data-testid^="row-propagation-"]').count();
    if (questions !== 4) throw new Error(`the form shows ${questions} propagation rows, the spec has 4`);
    await step('form');

    // A user edits the fact in the form: select the text, type, leave the box.
    await fact.locator('textarea').fill(NEW_FACT);
    await wb.page.keyboard.press('Tab');
    const tab = wb.editorTab(SPEC).first();
    await waitFor('the tab shows unsaved changes', async () =>
      /\bdirty\b/.test((await tab.getAttribute('class')) ?? ''),
    );
    // The checker sees the changed text: the row whose answer the fact now names is flagged at its field.
    const flagged = frame.locator('[data-testid="row-propagation-1"] [data-testid="diagnostic"]', {
      hasText: 'verbatim',
    });
    await flagged
      .first()
      .waitFor({ timeout: DIAGNOSTICS_TIMEOUT_MS })
      .catch(() => {
        throw new Error(
          'no verbatim diagnostic next to propagation question 2 after the fact named its answer',
        );
      });
    await step('fact-changed');

    await frame.locator('[data-testid="open-text"]').click();
    await wb.page
      .locator('.editor-group-container.active .monaco-editor .view-lines')
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await waitFor('the text editor shows the new fact', async () =>
      (await activeEditorText(wb)).includes(NEW_FACT),
    );
    await step('text');

    // Undo and redo are the text document's: the fact goes back and returns.
    await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
    await wb.page.keyboard.press('Control+Z');
    await waitFor('undo restores the old fact', async () => (await activeEditorText(wb)).includes(OLD_FACT));
    await waitFor(
      'undo leaves no unsaved change',
      async () => !/\bdirty\b/.test((await tab.getAttribute('class')) ?? ''),
    );
    await step('undone');
    await wb.page.keyboard.press('Control+Shift+Z');
    await waitFor('redo brings the new fact back', async () =>
      (await activeEditorText(wb)).includes(NEW_FACT),
    );

    // The form follows the text, then saves like a text editor.
    await wb.runCommand('PropMEND: Open with Form');
    await waitFor(
      'the reopened form shows the redone fact',
      async () => (await fieldValue(form(wb), 'fact')) === NEW_FACT,
    );
    await wb.runCommand('File: Save');
    await waitFor(
      'the tab is clean after saving',
      async () => !/\bdirty\b/.test((await tab.getAttribute('class')) ?? ''),
    );
    const saved = readFileSync(join(workspace, SPEC), 'utf8');
    if (saved !== onDisk.replace(OLD_FACT, NEW_FACT)) {
      throw new Error(`Save wrote more than the changed fact:\n${saved}`);
    }
    await step('saved');

    // A new row's empty fields break the schema: VS Code's JSON service says so at the field, once.
    await form(wb).locator('[data-testid="add-triples"]').click();
    const schemaNote = form(wb).locator('[data-testid="row-triples-1"] [data-testid="diagnostic"]', {
      hasText: /minimum length/i,
    });
    await schemaNote
      .first()
      .waitFor({ timeout: DIAGNOSTICS_TIMEOUT_MS })
      .catch(() => {
        throw new Error(
          "no schema diagnostic from VS Code's JSON service next to the new triple's empty fields",
        );
      });
    await step('schema-diagnostic');
    const ours = await form(wb).locator('[data-testid="diagnostic"]', { hasText: 'propmend/schema' }).count();
    if (ours !== 0)
      throw new Error(`the form shows ${ours} propmend/schema copies of VS Code's schema errors`);
    await wb.runCommand('File: Revert File');
    await form(wb)
      .locator('[data-testid="row-triples-1"]')
      .waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });

    // "Apply edit" runs the editing loop on the saved spec and opens the propagation diff.
    await form(wb).locator('[data-testid="apply"]').click();
    await wb
      .editorTab('PropMEND: Propagation Diff')
      .first()
      .waitFor({ timeout: EDIT_TIMEOUT_MS })
      .catch(() => {
        throw new Error('"Apply edit" in the form opened no propagation diff');
      });
    // Two webviews are open now (the form and the diff): look for the diff's rows in any frame.
    await waitFor(
      'the propagation diff shows its rows',
      async () => {
        for (const frame of wb.page.frames())
          if ((await frame.locator('[data-testid=diff-row]').count()) > 0) return true;
        return false;
      },
      EDIT_TIMEOUT_MS,
    );
    await step('applied');
  },
};
