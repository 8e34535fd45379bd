// The thin VS Code side of the runtime sidecar: the "PropMEND Runtime" output channel (the sidecar's stderr),
// a status bar item (model, execution provider, busy/idle; click: `propmend.selectModel`), workspace trust
// (the runtime never starts in an untrusted workspace), the one crash message, and cancellable progress
// notifications for requests, and the runtime settings as the sidecar's parameters (settings.ts).
// All process logic is in manager.ts; creating this starts nothing.
import { join } from 'node:path';
import {
  type CancellationToken,
  ConfigurationTarget,
  type Disposable,
  type ExtensionContext,
  MarkdownString,
  type OutputChannel,
  ProgressLocation,
  StatusBarAlignment,
  type StatusBarItem,
  window,
  workspace,
} from 'vscode';
import type { RequestType } from 'vscode-jsonrpc';
import type { RuntimeErrorData } from '../../server/protocol';
import { nodeLaunch, SidecarManager, type SidecarState } from './manager';
import { type RuntimeSettings, readRuntimeSettings, type SettingsContext } from './settings';
import { statusText } from './status-text';

/** Commands the status bar links to; registered by the commands module. */
export const SELECT_MODEL_COMMAND = 'propmend.selectModel';
export const SELECT_PROVIDER_COMMAND = 'propmend.selectProvider';

export class RuntimeClient implements Disposable {
  readonly manager: SidecarManager;
  private channel: OutputChannel | undefined;
  private readonly item: StatusBarItem;
  private readonly disposables: Disposable[] = [];

  constructor(context: ExtensionContext) {
    const script = context.asAbsolutePath('dist/sidecar.js');
    this.manager = new SidecarManager(() => nodeLaunch(script, workspace.workspaceFolders?.[0]?.uri.fsPath), {
      log: (line) => this.output().appendLine(line),
      stateChanged: (state) => this.show(state),
      notify: (message) => {
        void window.showWarningMessage(message, 'Show Output').then((pick) => {
          if (pick) this.output().show(true);
        });
      },
    });
    this.item = window.createStatusBarItem('propmend.runtime', StatusBarAlignment.Left, 10);
    this.item.name = 'PropMEND Runtime';
    this.item.command = SELECT_MODEL_COMMAND;
    void this.manager.setEnabled(workspace.isTrusted);
    this.disposables.push(
      this.item,
      workspace.onDidGrantWorkspaceTrust(() => void this.manager.setEnabled(true)),
    );
    this.show(this.manager.state);
    this.item.show();
  }

  /** The output channel, created on first use. */
  output(): OutputChannel {
    this.channel ??= window.createOutputChannel('PropMEND Runtime');
    return this.channel;
  }

  private show(state: SidecarState): void {
    const { text, tooltip } = statusText(state);
    this.item.text = text;
    const md = new MarkdownString(
      `${tooltip}\n\n[Select model…](command:${SELECT_MODEL_COMMAND}) · [Select execution provider…](command:${SELECT_PROVIDER_COMMAND})`,
    );
    md.isTrusted = { enabledCommands: [SELECT_MODEL_COMMAND, SELECT_PROVIDER_COMMAND] };
    this.item.tooltip = md;
  }

  /**
   * Runs a request under a cancellable progress notification titled `title`; Cancel reaches the sidecar as
   * `$/cancelRequest`. Rejects with SidecarRequestError (callers show its message).
   */
  withProgress<P, R>(title: string, type: RequestType<P, R, RuntimeErrorData>, params: P): Promise<R> {
    return Promise.resolve(
      window.withProgress(
        { location: ProgressLocation.Notification, title, cancellable: true },
        (progress, token: CancellationToken) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => controller.abort());
          let shown = 0;
          return this.manager
            .request(type, params, {
              signal: controller.signal,
              onProgress: ({ fraction, message }) => {
                const percent = Math.round(fraction * 100);
                progress.report({ increment: Math.max(0, percent - shown), message });
                shown = Math.max(shown, percent);
              },
            })
            .finally(() => sub.dispose());
        },
      ),
    );
  }

  dispose(): void {
    void this.manager.stop();
    for (const d of this.disposables) d.dispose();
    this.channel?.dispose();
  }
}

let client: RuntimeClient | undefined;

/** Creates the runtime client once (a status bar item; no process), for extension/main.ts. */
export function activateRuntime(context: ExtensionContext): RuntimeClient {
  if (client) return client;
  const created = new RuntimeClient(context);
  client = created;
  context.subscriptions.push(created, {
    dispose: () => {
      client = undefined;
    },
  });
  return created;
}

/** The runtime client of the active extension (commands call this). */
export function runtime(): RuntimeClient {
  if (!client) throw new Error('the PropMEND runtime client is used before activation');
  return client;
}

/** Where the runtime settings' paths resolve: the shipped model and the first workspace folder. */
export function settingsContext(context: ExtensionContext): SettingsContext {
  const folder = workspace.workspaceFolders?.[0]?.uri.fsPath;
  return {
    shippedModel: context.asAbsolutePath(join('assets', 'models', 'tiny-world')),
    ...(folder ? { workspaceFolder: folder } : {}),
  };
}

const warned = new Set<string>();

/** The runtime settings now; a bad value is shown once and replaced by its default. */
export function runtimeSettings(context: ExtensionContext): RuntimeSettings {
  const config = workspace.getConfiguration('propmend');
  const settings = readRuntimeSettings((key) => config.get(key), settingsContext(context));
  for (const problem of settings.problems) {
    if (warned.has(problem)) continue;
    warned.add(problem);
    void window.showWarningMessage(`PropMEND: ${problem}`);
  }
  return settings;
}

/** Writes `propmend.<key>`: into the workspace's settings when a folder is open, else the user's. */
export async function writeRuntimeSetting(key: string, value: unknown): Promise<void> {
  const target = workspace.workspaceFolders?.length
    ? ConfigurationTarget.Workspace
    : ConfigurationTarget.Global;
  await workspace.getConfiguration('propmend').update(key, value, target);
}
