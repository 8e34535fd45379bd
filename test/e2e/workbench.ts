// Drives the VS Code workbench in a browser page the way a person does: the command palette, Quick Open,
// the Problems panel, screenshots. Knows workbench selectors only; nothing about PropMEND's features
// (those are in scenarios.ts). Every wait has a named timeout and fails with what it was waiting for.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';

/** The workbench's first paint and extension activation on a loaded 2-core VM. */
export const WORKBENCH_TIMEOUT_MS = 60_000;
/** A UI reaction: a palette row, an editor tab, a panel. */
export const UI_TIMEOUT_MS = 15_000;

export function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

export class Workbench {
  private shot = 0;
  constructor(
    readonly page: Page,
    private readonly screenshotDir: string,
  ) {
    mkdirSync(screenshotDir, { recursive: true });
  }

  /** Opens the workbench on a folder and waits for its explorer. */
  async open(url: string, folder: string): Promise<void> {
    await this.page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { timeout: WORKBENCH_TIMEOUT_MS });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
    await this.page.locator('.explorer-folders-view').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  }

  /** Waits for PropMEND's runtime status bar item: the extension has activated and registered its commands. */
  async extensionReady(): Promise<void> {
    await this.page
      .locator('.statusbar-item', { hasText: /PropMEND/ })
      .first()
      .waitFor({ timeout: WORKBENCH_TIMEOUT_MS })
      .catch(() => {
        throw new Error(
          `no PropMEND status bar item within ${WORKBENCH_TIMEOUT_MS / 1000} s: the extension did not activate`,
        );
      });
  }

  /** Saves a screenshot named `<nn>-<scenario>-<step>.png` and returns its path. */
  async screenshot(scenario: string, step: string): Promise<string> {
    this.shot += 1;
    const path = join(this.screenshotDir, `${String(this.shot).padStart(2, '0')}-${scenario}-${step}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  private quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /**
   * Runs a command from the palette (F1) by its exact title, e.g. `PropMEND: Apply Edit`; `whenShown`
   * runs while the palette shows it (for a screenshot).
   */
  async runCommand(title: string, whenShown?: () => Promise<void>): Promise<void> {
    await this.openPalette(`>${title}`);
    const row = this.quickInput()
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exactly(title) }) })
      .first();
    await row.waitFor({ timeout: UI_TIMEOUT_MS }).catch(() => {
      throw new Error(`the command palette has no command titled "${title}"`);
    });
    await whenShown?.();
    await row.click();
    await this.quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  /** Opens a workspace file from the Explorer (expanding its folders) and waits for its editor. */
  async openFile(relativePath: string): Promise<void> {
    const parts = relativePath.split('/');
    const explorer = this.page.locator('.explorer-folders-view');
    // An earlier scenario may have left another view in the side bar (Testing, Search).
    if (!(await explorer.isVisible())) await this.runCommand('View: Show Explorer');
    for (const [i, part] of parts.entries()) {
      const row = explorer.locator(`.monaco-list-row[aria-label="${cssString(part)}"]`).first();
      await row.waitFor({ timeout: UI_TIMEOUT_MS }).catch(() => {
        throw new Error(`the Explorer shows no "${parts.slice(0, i + 1).join('/')}"`);
      });
      if (i < parts.length - 1) {
        if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
      } else {
        await row.dblclick();
      }
    }
    await this.editorTab(parts[parts.length - 1] ?? relativePath).waitFor({ timeout: UI_TIMEOUT_MS });
    await this.page
      .locator('.editor-group-container.active .monaco-editor .view-lines')
      .waitFor({ timeout: UI_TIMEOUT_MS });
  }

  editorTab(label: string): Locator {
    return this.page.locator(`.tabs-container .tab[aria-label^="${cssString(label)}"]`);
  }

  /** Puts the cursor at a 1-based line of the active editor (Ctrl+G). */
  async goToLine(line: number): Promise<void> {
    await this.openPalette(`:${line}`, 'Control+G');
    await this.page.keyboard.press('Enter');
    await this.quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  private async openPalette(text: string, key = 'F1'): Promise<void> {
    await this.page.locator('.monaco-workbench').focus();
    await this.page.keyboard.press(key);
    const input = this.quickInput().locator('input');
    await input.waitFor({ timeout: UI_TIMEOUT_MS });
    await input.fill(text);
  }

  /** The Problems panel, opened with its view command. */
  async showProblems(): Promise<Locator> {
    await this.runCommand('Problems: Focus on Problems View');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ timeout: UI_TIMEOUT_MS });
    return panel;
  }

  /** Clicks an editor tab by its label, making that editor active. */
  async activateTab(label: string): Promise<void> {
    const tab = this.editorTab(label).first();
    await tab.waitFor({ timeout: UI_TIMEOUT_MS });
    await tab.click();
  }

  /**
   * The after-line decoration texts (VS Code renders them as CSS `::after` content) on the rendered line
   * of the active editor that contains `lineText`, or undefined when no rendered line contains it.
   */
  async decorationsOnLine(lineText: string): Promise<string[] | undefined> {
    // No named inner functions here: tsx's transform would wrap them in a helper the page does not have.
    return this.page.evaluate((wanted) => {
      const lines = document.querySelectorAll('.editor-group-container.active .view-lines .view-line');
      const line = Array.from(lines).find((l) =>
        (l.textContent ?? '').replaceAll('\u00a0', ' ').includes(wanted),
      );
      if (!line) return undefined;
      const texts: string[] = [];
      for (const span of Array.from(line.querySelectorAll('span'))) {
        const content = getComputedStyle(span, '::after').content;
        if (content && content !== 'none' && content !== 'normal') {
          texts.push(content.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1'));
        }
      }
      return texts;
    }, lineText);
  }

  /** Waits for a notification toast whose message matches and returns its text. */
  async notification(pattern: RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
    const toast = this.page
      .locator('.notification-toast .notification-list-item-message')
      .filter({ hasText: pattern })
      .first();
    await toast.waitFor({ timeout: timeoutMs }).catch(() => {
      throw new Error(`no notification matching ${pattern}`);
    });
    return (await toast.textContent()) ?? '';
  }

  /** The content frame of the active webview panel. */
  webview(): FrameLocator {
    // The visible one: panels of earlier steps may stay open in hidden tabs.
    return this.page
      .locator('iframe.webview.ready:visible')
      .first()
      .contentFrame()
      .frameLocator('iframe#active-frame');
  }

  /** Every notification of the session (the Notification Center keeps those whose toast has hidden). */
  async notifications(): Promise<string[]> {
    await this.runCommand('Notifications: Show Notifications');
    const center = this.page.locator('.notifications-center .notification-list-item-message');
    const texts = await center.allTextContents();
    await this.page.keyboard.press('Escape');
    return texts;
  }
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

function cssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}
