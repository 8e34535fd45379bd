// The dataset checker in the editor: starts the PropMEND language server (dist/lsp.js) over stdio with
// vscode-languageclient, forwards the `propmend.*` settings, and shows its state in a language status item.
// Owns the language client only; it must not import server code (the server is a separate process).
import { join } from 'node:path';
import { commands, type ExtensionContext, window, workspace } from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { languageStatus } from './language-status';
import { DOCUMENT_SELECTOR, SETTINGS_SECTION } from './selectors';

/** The output channel's name; the server logs its start, settings, KB files and check times there. */
export const CHECKER_CHANNEL = 'PropMEND datasets';

/** The `propmend.*` settings as the server reads them at start (later changes arrive by configuration sync). */
function initialSettings(): Record<string, unknown> {
  const c = workspace.getConfiguration(SETTINGS_SECTION);
  return {
    knowledgeBase: c.get<string>('knowledgeBase') || c.get<string>('kb') || '',
    tokenizer: c.get<string>('tokenizer') ?? '',
    maxNewTokens: c.get<number>('maxNewTokens'),
    context: c.get<number | null>('context') ?? undefined,
  };
}

/** Starts the language server; failures are shown, never thrown (the rest of the extension still works). */
export async function startChecker(context: ExtensionContext): Promise<LanguageClient | undefined> {
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
  const client = new LanguageClient('propmend', CHECKER_CHANNEL, serverOptions, clientOptions);
  context.subscriptions.push(
    ...languageStatus(client),
    commands.registerCommand('propmend.showCheckerOutput', () => client.outputChannel.show(true)),
    { dispose: () => void client.stop() },
  );
  try {
    await client.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void window.showErrorMessage(
      `PropMEND: the dataset language server did not start (${reason}); run "npm run build" so that ${serverModule} exists, then reload the window`,
    );
    return undefined;
  }
  return client;
}
