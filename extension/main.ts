// The VS Code extension entry: wires the parts and pushes their disposables. Activation does no model work
// and starts no runtime: it creates the runtime client (a status bar item; the sidecar process starts on
// first use, never in an untrusted workspace), starts the dataset checker (checker.ts) and registers the
// editing loop. Owns activation only; it must not import server code other than the protocol.
import { type ExtensionContext, languages } from 'vscode';
import { startChecker } from './checker';
import { chosenModel, registerCommands } from './commands';
import { registerDiffSerializer } from './diff-panel';
import { SpecFormEditorProvider } from './editors/spec-form-editor';
import { registerEvaluationCommands } from './evaluation/commands';
import { offerWalkthrough } from './first-run';
import { InlineResults } from './inline-results';
import type { RuntimeAccess } from './runtime-client';
import { activateRuntime, runtime as sidecar } from './sidecar/vscode-runtime';
import { DatasetTests } from './test-explorer';
import { registerTrainingCommands } from './training/commands';
import { registerWalkthrough } from './walkthrough';

export async function activate(context: ExtensionContext): Promise<void> {
  const started = performance.now();
  activateRuntime(context);
  // The editing loop (commands, diff panel, inline results, Test Explorer) over the runtime sidecar.
  const runtime: RuntimeAccess = () => sidecar().manager;
  const log = (line: string) => sidecar().output().appendLine(line);
  const inline = new InlineResults();
  context.subscriptions.push(
    inline,
    languages.registerCodeLensProvider(
      [
        { scheme: 'file', pattern: '**/*.ripple.jsonl' },
        { scheme: 'file', pattern: '**/*.edit.json' },
      ],
      inline,
    ),
    registerDiffSerializer(context),
    ...SpecFormEditorProvider.register(context),
    new DatasetTests(runtime, inline, () => chosenModel(context)),
    ...registerCommands({ context, runtime, inline, log }),
    // Meta-training in the sidecar and its panel (extension/training/).
    ...registerTrainingCommands(context, () => sidecar().manager),
    ...registerWalkthrough(context),
    ...registerEvaluationCommands({ context, runtime, inline, log }),
  );
  offerWalkthrough(context);
  // The dataset checker (language server).
  const client = await startChecker(context);
  // Measured for the README: activation registers, creates one status bar item and starts the checker.
  client?.outputChannel.appendLine(
    `PropMEND extension activated in ${(performance.now() - started).toFixed(0)} ms (no model loaded, no runtime started)`,
  );
}

export async function deactivate(): Promise<void> {
  // Every part registered its disposables on the context; VS Code disposes them (the client stops there).
}
