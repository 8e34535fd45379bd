// The "Get Started with PropMEND" walkthrough's commands and completion signals (package.json
// contributes.walkthroughs): open the bundled examples as a copy, open the dataset with a mistake and notice
// its fix (context key propmend.exampleMistakeFixed), open the example edit spec, and the context key
// propmend.exampleWorkspace. File work is in walkthrough-files.ts; this module must not touch the runtime.
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  commands,
  DiagnosticSeverity,
  type Disposable,
  type ExtensionContext,
  languages,
  Uri,
  window,
  workspace,
} from 'vscode';
import {
  copyExamples,
  EXAMPLE_SPEC,
  isExampleWorkspace,
  MISTAKE_FILE,
  writeMistakeFile,
} from './walkthrough-files';

/** The walkthrough's id in package.json (VS Code's id is `<publisher>.<name>#<id>`). */
export const WALKTHROUGH = 'gettingStarted';
const EXAMPLE_WORKSPACE = 'propmend.exampleWorkspace';
const MISTAKE_FIXED = 'propmend.exampleMistakeFixed';

/**
 * Opens the walkthrough in the Welcome editor. VS Code's walkthrough service is created on first use and, when
 * it registers the steps, takes an `onContext` key that is already true as seen without checking its step off;
 * so the example-workspace key is cleared while the page opens and set again after, and its change counts.
 */
export async function openWalkthrough(context: ExtensionContext): Promise<void> {
  await commands.executeCommand('setContext', EXAMPLE_WORKSPACE, false);
  await commands.executeCommand(
    'workbench.action.openWalkthrough',
    `${context.extension.id}#${WALKTHROUGH}`,
    false,
  );
  await updateExampleContext();
}

/** The first workspace folder that is an example workspace. */
function exampleFolder(): string | undefined {
  return workspace.workspaceFolders?.map((f) => f.uri.fsPath).find(isExampleWorkspace);
}

function updateExampleContext(): Thenable<unknown> {
  return commands.executeCommand('setContext', EXAMPLE_WORKSPACE, exampleFolder() !== undefined);
}

/** Copies the bundled examples into a new folder the user picks the parent of, and opens it. */
async function openExamples(context: ExtensionContext): Promise<void> {
  const picked = await window.showOpenDialog({
    title: 'PropMEND: folder to copy the examples into (a new "propmend-examples" folder is made there)',
    openLabel: 'Copy Examples Here',
    canSelectFolders: true,
    canSelectFiles: false,
    defaultUri: Uri.file(workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir()),
  });
  if (!picked?.[0]) return;
  let target: string;
  try {
    target = copyExamples(context.asAbsolutePath('examples'), picked[0].fsPath);
  } catch (error) {
    void window.showErrorMessage(`PropMEND: cannot copy the examples: ${(error as Error).message}`);
    return;
  }
  // A window with a folder keeps it: the copy opens in a new window.
  await commands.executeCommand('vscode.openFolder', Uri.file(target), {
    forceNewWindow: (workspace.workspaceFolders?.length ?? 0) > 0,
  });
}

/** The example workspace, or undefined after telling the user how to get one. */
function requireExamples(): string | undefined {
  const folder = exampleFolder();
  if (!folder)
    void window
      .showWarningMessage(
        'PropMEND: open the example workspace first (it has new-person.edit.json and dataset/)',
        'Open Example Workspace…',
      )
      .then((choice) => {
        if (choice) void commands.executeCommand('propmend.openExamples');
      });
  return folder;
}

async function openMistake(): Promise<void> {
  const folder = requireExamples();
  if (!folder) return;
  let file: string;
  try {
    file = writeMistakeFile(folder);
  } catch (error) {
    void window.showErrorMessage(`PropMEND: ${(error as Error).message}`);
    return;
  }
  await window.showTextDocument(Uri.file(file));
}

async function openSpec(): Promise<void> {
  const folder = requireExamples();
  if (folder) await window.showTextDocument(Uri.file(join(folder, EXAMPLE_SPEC)));
}

/** Sets propmend.exampleMistakeFixed once the mistake file had an error and then has none. */
function watchMistake(): Disposable {
  let sawError = false;
  return languages.onDidChangeDiagnostics((event) => {
    for (const uri of event.uris) {
      if (!uri.fsPath.endsWith(MISTAKE_FILE)) continue;
      const errors = languages.getDiagnostics(uri).filter((d) => d.severity === DiagnosticSeverity.Error);
      if (errors.length > 0) sawError = true;
      else if (sawError) void commands.executeCommand('setContext', MISTAKE_FIXED, true);
    }
  });
}

export function registerWalkthrough(context: ExtensionContext): Disposable[] {
  void updateExampleContext();
  return [
    workspace.onDidChangeWorkspaceFolders(() => void updateExampleContext()),
    watchMistake(),
    commands.registerCommand('propmend.openWalkthrough', () => openWalkthrough(context)),
    commands.registerCommand('propmend.openExamples', () => openExamples(context)),
    commands.registerCommand('propmend.openExampleMistake', openMistake),
    commands.registerCommand('propmend.openExampleSpec', openSpec),
  ];
}
