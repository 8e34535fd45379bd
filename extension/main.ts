// The VS Code extension entry: starts the PropMEND language server (dist/lsp.js) over stdio with
// vscode-languageclient and forwards the `propmend.*` settings, and creates the runtime client (a status bar
// item; the sidecar process starts on first use). Owns activation only; it must not import server code
// other than the protocol (the servers are separate processes) and it never loads a model.
import { join } from 'node:path';
import { type ExtensionContext, window, workspace } from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { DOCUMENT_SELECTOR, SETTINGS_SECTION } from './selectors';
import { activateRuntime } from './sidecar/vscode-runtime';

let client: LanguageClient | undefined;

/** The `propmend.*` settings as the server reads them at start (later changes arrive by configuration sync). */
function initialSettings(): Record<string, unknown> {
  const c = workspace.getConfiguration(SETTINGS_SECTION);
  return {
    kb: c.get<string>('kb') ?? '',
    tokenizer: c.get<string>('tokenizer') ?? '',
    maxNewTokens: c.get<number>('maxNewTokens'),
    context: c.get<number | null>('context') ?? undefined,
  };
}

export async function activate(context: ExtensionContext): Promise<void> {
  activateRuntime(context);
  const serverModule = context.asAbsolutePath(join('dist', 'lsp.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: {
      module: serverModule,
      transport: TransportKind.stdio,
      options: { execArgv: ['--inspect=6010'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: {
      configurationSection: SETTINGS_SECTION,
      fileEvents: workspace.createFileSystemWatcher('**/*.{jsonl,json}'),
    },
    initializationOptions: { settings: initialSettings() },
  };
  client = new LanguageClient('propmend', 'PropMEND datasets', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void window.showErrorMessage(
      `PropMEND: the dataset language server did not start (${reason}); run "npm run build" so that ${serverModule} exists, then reload the window`,
    );
    return;
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}
