// The training panel: one webview (dist/webviews/train.js) showing the sidecar's training run. Owns the
// panel's lifetime (createOrShow / dispose), its strict CSP and the typed messages: it posts `show` with the
// view model's TrainView and answers the page's pause / resume / stop / use / reveal intents. Closing the
// panel only drops its TrainingWatch: the run goes on in the sidecar, and reopening reads its whole history.
import { dirname } from 'node:path';
import {
  ConfigurationTarget,
  commands,
  type Disposable,
  type ExtensionContext,
  Uri,
  ViewColumn,
  type WebviewPanel,
  window,
  workspace,
} from 'vscode';
import { readFromWebview, type ToWebview } from '../../webviews/train/messages';
import { describeFailure } from '../runtime-client';
import { type TrainRunView, trainView } from '../views/train-view';
import { bundledPageOptions, loadBundledPage } from '../webview-page';
import type { TrainingClient } from './client';
import { TrainingWatch } from './session';

export const TRAIN_VIEW_TYPE = 'propmend.training';
const TRAIN_TITLE = 'PropMEND: Training';
/** The setting "Use this hypernetwork" writes (the editing loop's hypernetwork when a spec names none). */
export const HYPERNETWORK_SETTING = 'hypernetwork';

export class TrainPanel {
  private static current: TrainPanel | undefined;
  private readonly disposables: Disposable[] = [];
  readonly watch: TrainingWatch;

  private constructor(
    private readonly panel: WebviewPanel,
    context: ExtensionContext,
    client: TrainingClient,
  ) {
    loadBundledPage(panel.webview, context, {
      bundle: 'train',
      title: TRAIN_TITLE,
      rootTestId: 'train-root',
    });
    this.watch = new TrainingWatch(client, (view) => this.show(view));
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((raw) => void this.receive(raw), null, this.disposables);
  }

  /** The open panel, or a new one beside the editor connected to the sidecar's run. */
  static createOrShow(context: ExtensionContext, client: TrainingClient): TrainPanel {
    if (TrainPanel.current) {
      TrainPanel.current.panel.reveal(undefined, true);
      return TrainPanel.current;
    }
    const panel = window.createWebviewPanel(
      TRAIN_VIEW_TYPE,
      TRAIN_TITLE,
      { viewColumn: ViewColumn.Beside, preserveFocus: true },
      bundledPageOptions(context),
    );
    TrainPanel.current = new TrainPanel(panel, context, client);
    return TrainPanel.current;
  }

  private show(view: TrainRunView): void {
    const message: ToWebview = { type: 'show', view: trainView(view) };
    void this.panel.webview.postMessage(message);
  }

  private async receive(raw: unknown): Promise<void> {
    const message = readFromWebview(raw);
    if (!message) return; // not ours: never acted on
    try {
      switch (message.type) {
        case 'ready':
          this.show(this.watch.current);
          await this.watch.refresh();
          return;
        case 'pause':
          return await this.watch.pause();
        case 'stop':
          return await this.watch.stop();
        case 'resume':
          await this.watch.resume();
          return;
        case 'use':
          return await this.useCheckpoint();
        case 'reveal': {
          const out = this.watch.current.run?.out;
          if (out) await commands.executeCommand('revealFileInOS', Uri.file(out));
          return;
        }
      }
    } catch (error) {
      void window.showErrorMessage(`PropMEND: ${message.type} failed: ${describeFailure(error).message}`);
    }
  }

  private async useCheckpoint(): Promise<void> {
    const file = this.watch.current.run?.best.file;
    if (!file) return;
    const folder = dirname(file);
    const target = workspace.workspaceFolders?.length
      ? ConfigurationTarget.Workspace
      : ConfigurationTarget.Global;
    await workspace.getConfiguration('propmend').update(HYPERNETWORK_SETTING, folder, target);
    void window.showInformationMessage(
      `PropMEND: edits now use the hypernetwork ${folder} (setting propmend.${HYPERNETWORK_SETTING}; specs that name their own keep it)`,
    );
  }

  dispose(): void {
    if (TrainPanel.current === this) TrainPanel.current = undefined;
    this.watch.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
