// The VS Code extension entry: wires the parts and pushes their disposables. Activation does no model work
// and starts no runtime: the dataset checker (checker.ts) starts here, everything else on first use.
// Owns activation only; it must not import server code (servers are separate processes).
import type { ExtensionContext } from 'vscode';
import { startChecker } from './checker';

export async function activate(context: ExtensionContext): Promise<void> {
  await startChecker(context);
}

export async function deactivate(): Promise<void> {
  // Every part registered its disposables on the context; VS Code disposes them (the client stops there).
}
