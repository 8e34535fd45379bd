// The evaluation panel: one webview showing an evaluation result as the report page of server/report (the
// HTML `propmend report` writes, in webview mode: strict nonce CSP, no resources at all, theme variables).
// Owns the panel's lifetime (createOrShow / dispose) and its one intent: a question link opens the dataset
// file at the question's instance line. Never opens a path the page names (eval-report.ts resolves it).
import { randomBytes } from 'node:crypto';
import {
  type Disposable,
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
import type { EvalRunResult } from '../../server/report/load';
import { evalPanelHtml, evalPanelTitle, questionLocation } from '../views/eval-report';

export const EVAL_VIEW_TYPE = 'propmend.evaluation';

export class EvalPanel {
  private static current: EvalPanel | undefined;
  private readonly disposables: Disposable[] = [];
  private shown: EvalRunResult | null = null;

  private constructor(private readonly panel: WebviewPanel) {
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((raw) => void this.receive(raw), null, this.disposables);
  }

  /** The open panel, or a new one in the active editor group's column. */
  static createOrShow(): EvalPanel {
    if (EvalPanel.current) {
      EvalPanel.current.panel.reveal(undefined, false);
      return EvalPanel.current;
    }
    const panel = window.createWebviewPanel(
      EVAL_VIEW_TYPE,
      'PropMEND Evaluation',
      { viewColumn: ViewColumn.Active, preserveFocus: false },
      // Scripts for the page's filters, sorting and links; no local or remote resource may load.
      { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: true },
    );
    EvalPanel.current = new EvalPanel(panel);
    return EvalPanel.current;
  }

  /** Shows `result` (read from `source`, a result file). */
  show(result: EvalRunResult, source: string): void {
    this.shown = result;
    this.panel.title = evalPanelTitle(result);
    this.panel.webview.html = evalPanelHtml(result, {
      nonce: randomBytes(18).toString('base64url'),
      cspSource: this.panel.webview.cspSource,
      source,
    });
  }

  private async receive(raw: unknown): Promise<void> {
    const at = this.shown ? questionLocation(this.shown, raw) : null;
    if (!at) return; // not ours: never acted on
    try {
      const doc = await workspace.openTextDocument(Uri.file(at.file));
      const pos = new Position(Math.min(at.line, doc.lineCount - 1), 0);
      const editor = await window.showTextDocument(doc, { viewColumn: ViewColumn.Beside, preview: false });
      editor.selection = new Selection(pos, pos);
      editor.revealRange(new Range(pos, pos), TextEditorRevealType.InCenter);
    } catch (error) {
      void window.showErrorMessage(`PropMEND: cannot open ${at.file}: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    if (EvalPanel.current === this) EvalPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
