// The VS Code extension entry: wires the parts and pushes their disposables. Activation does no model work
// and starts no runtime: the dataset checker (checker.ts) starts here, the runtime sidecar on first use.
// Owns activation only; it must not import server code (servers are separate processes).
import { type ExtensionContext, languages, window } from 'vscode';
import { startChecker } from './checker';
import { chosenModel, registerCommands } from './commands';
import { registerDiffSerializer } from './diff-panel';
import { InlineResults } from './inline-results';
import type { RuntimeAccess } from './runtime-client';
import { DatasetTests } from './test-explorer';

export async function activate(context: ExtensionContext): Promise<void> {
  const started = performance.now();
  // The editing loop (commands, diff panel, inline results, Test Explorer) over the runtime sidecar.
  const log = window.createOutputChannel('PropMEND Runtime', { log: true });
  const runtime: RuntimeAccess = () => {
    void window.showWarningMessage('PropMEND: the runtime sidecar is not wired into this build yet');
    return undefined;
  };
  const inline = new InlineResults();
  context.subscriptions.push(
    log,
    inline,
    languages.registerCodeLensProvider(
      [
        { scheme: 'file', pattern: '**/*.ripple.jsonl' },
        { scheme: 'file', pattern: '**/*.edit.json' },
      ],
      inline,
    ),
    registerDiffSerializer(context),
    new DatasetTests(runtime, inline, () => chosenModel(context)),
    ...registerCommands({ context, runtime, inline, log: (line) => log.info(line) }),
  );
  // The dataset checker (language server).
  const client = await startChecker(context);
  // Measured for the README: activation only registers and starts the language server's process.
  log.info(
    `activated in ${(performance.now() - started).toFixed(0)} ms (checker ${client ? 'started' : 'failed'}; no model loaded, no runtime started)`,
  );
}

export async function deactivate(): Promise<void> {
  // Every part registered its disposables on the context; VS Code disposes them (the client stops there).
}
