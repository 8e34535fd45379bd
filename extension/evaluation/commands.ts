// The evaluation commands: `PropMEND: Evaluate Dataset…` asks for dataset files, methods and a limit (or
// takes them from its argument), runs `propmend/evaluate` in the sidecar under cancellable progress with the
// result file written to a new folder under the workspace's `.propmend/eval/`, and opens the evaluation
// panel; `PropMEND: Open Evaluation Result…` shows an existing result file there. Choices are view models.
import { dirname } from 'node:path';
import { commands, type Disposable, type QuickPickItem, Uri, window, workspace } from 'vscode';
import { type EvalMethodName, EvaluateRequest } from '../../server/protocol';
import { readEvalResult } from '../../server/report/load';
import { type CommandDeps, chosenModel, underProgress } from '../commands';
import { withModel } from '../runtime-client';
import {
  type Choice,
  datasetChoices,
  evaluateDatasetArgs,
  methodChoices,
  parseLimit,
  resultFolder,
} from '../views/eval-choices';
import { evalRunLine } from '../views/eval-report';
import { EvalPanel } from './panel';

export const EVALUATE_DATASET_COMMAND = 'propmend.evaluateDataset';
export const OPEN_EVAL_RESULT_COMMAND = 'propmend.openEvaluationResult';
/** The last run's picks (workspace state), offered again next time. */
const PICKS_KEY = 'propmend.evaluationPicks';
const DATASET_GLOB = '**/*.ripple.jsonl';
const DATASET_EXCLUDE = '{**/node_modules/**,**/.propmend/**}';
const MAX_DATASETS = 500;

interface Picks {
  readonly files?: readonly string[];
  readonly methods?: readonly string[];
  readonly limit?: string;
}

async function pickMany<T>(
  choices: Choice<T>[],
  title: string,
  placeHolder: string,
): Promise<T[] | undefined> {
  const items: Array<QuickPickItem & { value: T }> = choices.map((c) => ({ ...c }));
  const picked = await window.showQuickPick(items, {
    canPickMany: true,
    title,
    placeHolder,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.length === 0) {
    void window.showWarningMessage(`PropMEND: ${title}: pick at least one`);
    return undefined;
  }
  return picked.map((p) => p.value);
}

async function evaluateDataset(deps: CommandDeps, arg: unknown): Promise<void> {
  const args = evaluateDatasetArgs(arg);
  if (!args.ok) {
    void window.showErrorMessage(`PropMEND: Evaluate Dataset: ${args.message}`);
    return;
  }
  const last = deps.context.workspaceState.get<Picks>(PICKS_KEY) ?? {};
  let files = args.value.files;
  if (!files) {
    const found = (await workspace.findFiles(DATASET_GLOB, DATASET_EXCLUDE, MAX_DATASETS)).map(
      (u) => u.fsPath,
    );
    if (found.length === 0) {
      void window.showWarningMessage(
        'PropMEND: the workspace has no dataset file (*.ripple.jsonl) to evaluate',
      );
      return;
    }
    // From the Explorer's context menu: that file; else the active dataset editor; else the last picks.
    const active = arg instanceof Uri ? arg.fsPath : window.activeTextEditor?.document.uri.fsPath;
    const previous = active?.endsWith('.ripple.jsonl') ? [active] : last.files;
    const root = workspace.workspaceFolders?.[0]?.uri.fsPath;
    files = await pickMany(
      datasetChoices(found, root, previous),
      'Evaluate Dataset: dataset files',
      'Pick the splits to evaluate (one file per split)',
    );
    if (!files) return;
  }
  let methods: readonly EvalMethodName[] | undefined = args.value.methods;
  if (!methods) {
    methods = await pickMany(
      methodChoices(last.methods),
      'Evaluate Dataset: methods',
      'Pick the methods to compare',
    );
    if (!methods) return;
  }
  let limit = args.value.limit;
  if (args.value.files === undefined && limit === undefined) {
    const text = await window.showInputBox({
      title: 'Evaluate Dataset: instances per file',
      prompt: 'The first N instances of each file; empty for all',
      value: last.limit ?? '',
      ignoreFocusOut: true,
      validateInput: (t) => {
        const p = parseLimit(t);
        return p.ok ? null : p.message;
      },
    });
    if (text === undefined) return;
    const parsed = parseLimit(text);
    if (!parsed.ok) return;
    limit = parsed.value;
    await deps.context.workspaceState.update(PICKS_KEY, { files, methods, limit: text.trim() });
  }
  const first = files[0] as string;
  const root = workspace.getWorkspaceFolder(Uri.file(first))?.uri.fsPath ?? dirname(first);
  const outDir = resultFolder(root, new Date());
  const label = `Evaluate Dataset (${methods.join(', ')})`;
  const chosen = { files, methods, limit };
  const result = await underProgress(deps, label, (rt, options) =>
    withModel(
      rt,
      () => chosenModel(deps.context),
      () =>
        rt.request(
          EvaluateRequest,
          {
            source: { kind: 'datasets', files: chosen.files },
            methods: chosen.methods,
            ...(chosen.limit !== undefined ? { limit: chosen.limit } : {}),
            out_dir: outDir,
          },
          options,
        ),
      options,
    ),
  );
  if (!result) return;
  deps.log(`Evaluate Dataset: ${evalRunLine(result)}; result ${result.result_file ?? '(none)'}`);
  if (result.result_file) await showResult(result.result_file);
}

/** Reads a result file and shows it in the evaluation panel; a bad file is one message naming it. */
async function showResult(file: string): Promise<void> {
  const loaded = readEvalResult(file);
  if (!loaded.ok) {
    void window.showErrorMessage(`PropMEND: ${loaded.message}`);
    return;
  }
  EvalPanel.createOrShow().show(loaded.result, loaded.path);
}

async function openEvaluationResult(arg: unknown): Promise<void> {
  let file = arg instanceof Uri ? arg.fsPath : undefined;
  if (!file) {
    const root = workspace.workspaceFolders?.[0]?.uri;
    const picked = await window.showOpenDialog({
      title: 'Open an evaluation result (eval-*.json, from propmend eval or Evaluate Dataset)',
      canSelectMany: false,
      filters: { 'Evaluation result': ['json'] },
      ...(root ? { defaultUri: Uri.joinPath(root, '.propmend', 'eval') } : {}),
    });
    file = picked?.[0]?.fsPath;
  }
  if (file) await showResult(file);
}

export function registerEvaluationCommands(deps: CommandDeps): Disposable[] {
  return [
    commands.registerCommand(EVALUATE_DATASET_COMMAND, (arg?: unknown) => evaluateDataset(deps, arg)),
    commands.registerCommand(OPEN_EVAL_RESULT_COMMAND, (arg?: unknown) => openEvaluationResult(arg)),
  ];
}
