// The propagation diff panel: one webview (dist/webviews/diff.js) showing the last edit's report. Owns the
// panel's lifetime (createOrShow / revive after a reload / dispose), its strict CSP and the typed messages:
// it posts `show`, and answers the page's `reveal` (open the question in its file) and `export` intents.
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  type Disposable,
  type ExtensionContext,
  Position,
  Range,
  Selection,
  TextEditorRevealType,
  Uri,
  ViewColumn,
  type WebviewPanel,
  window,
  workspace,
} from 'vscode';
import {
  type DiffReport,
  type ExportFormat,
  readFromWebview,
  type ToWebview,
} from '../webviews/diff/messages';
import { reportMarkdown } from '../webviews/diff/model';
import { bundledPageOptions, loadBundledPage } from './webview-page';

export const DIFF_VIEW_TYPE = 'propmend.diff';
const DIFF_TITLE = 'PropMEND: Propagation Diff';

export class DiffPanel {
  private static current: DiffPanel | undefined;
  private readonly disposables: Disposable[] = [];
  private report: DiffReport | null = null;

  private constructor(
    private readonly panel: WebviewPanel,
    context: ExtensionContext,
  ) {
    loadBundledPage(panel.webview, context, {
      bundle: 'diff',
      title: DIFF_TITLE,
      rootTestId: 'diff-root',
    });
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((raw) => void this.receive(raw), null, this.disposables);
  }

  /** The open panel, or a new one beside the editor. */
  static createOrShow(context: ExtensionContext): DiffPanel {
    if (DiffPanel.current) {
      DiffPanel.current.panel.reveal(undefined, true);
      return DiffPanel.current;
    }
    const panel = window.createWebviewPanel(
      DIFF_VIEW_TYPE,
      DIFF_TITLE,
      { viewColumn: ViewColumn.Beside, preserveFocus: true },
      bundledPageOptions(context),
    );
    DiffPanel.current = new DiffPanel(panel, context);
    return DiffPanel.current;
  }

  /** Restores a panel VS Code kept across a reload; the page restores its report from its own state. */
  static revive(panel: WebviewPanel, context: ExtensionContext, state: unknown): void {
    DiffPanel.current?.dispose();
    DiffPanel.current = new DiffPanel(panel, context);
    const saved = (state as { report?: DiffReport | null } | undefined)?.report;
    if (saved) DiffPanel.current.report = saved;
  }

  static get open(): DiffPanel | undefined {
    return DiffPanel.current;
  }

  show(report: DiffReport): void {
    this.report = report;
    this.post({ type: 'show', report });
  }

  private post(message: ToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private async receive(raw: unknown): Promise<void> {
    const message = readFromWebview(raw);
    if (!message) return; // not ours: never acted on
    if (message.type === 'ready') {
      if (this.report) this.post({ type: 'show', report: this.report });
    } else if (message.type === 'reveal') {
      await this.reveal(message.rowId);
    } else {
      await this.export(message.format);
    }
  }

  private async reveal(rowId: string): Promise<void> {
    const location = this.report?.rows.find((r) => r.id === rowId)?.location;
    if (!location) return;
    const doc = await workspace.openTextDocument(Uri.file(location.file));
    const at = new Position(location.line, location.character);
    const editor = await window.showTextDocument(doc, { viewColumn: ViewColumn.One, preserveFocus: false });
    editor.selection = new Selection(at, at);
    editor.revealRange(new Range(at, at), TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async export(format: ExportFormat): Promise<void> {
    const report = this.report;
    if (!report) return;
    const ext = format === 'json' ? 'json' : 'md';
    const first = report.rows.find((r) => r.location)?.location?.file;
    const suggested = first
      ? join(dirname(first), `${basename(first).replace(/\.(edit\.json|ripple\.jsonl)$/, '')}.diff.${ext}`)
      : `propagation-diff.${ext}`;
    const target = await window.showSaveDialog({
      title: `Export the propagation diff as ${format === 'json' ? 'JSON' : 'Markdown'}`,
      defaultUri: Uri.file(suggested),
      filters: format === 'json' ? { JSON: ['json'] } : { Markdown: ['md'] },
    });
    if (!target) return;
    const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportMarkdown(report);
    // The save dialog asked before replacing; write beside and rename so a crash leaves no torn file.
    const temp = `${target.fsPath}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, text);
      renameSync(temp, target.fsPath);
      void window.showInformationMessage(`PropMEND: wrote ${target.fsPath}`);
    } catch (error) {
      void window.showErrorMessage(`PropMEND: cannot write ${target.fsPath}: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    if (DiffPanel.current === this) DiffPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Revives the panel after a window reload (VS Code keeps the page's state). */
export function registerDiffSerializer(context: ExtensionContext): Disposable {
  return window.registerWebviewPanelSerializer(DIFF_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state) {
      DiffPanel.revive(panel, context, state);
    },
  });
}
