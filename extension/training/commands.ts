// The training commands: "PropMEND: Train Hypernetwork…" (pick a train-*.json / *.train.json config of the
// workspace or create one from a template; a run folder with a saved state is offered for resuming) and
// "PropMEND: Show Training" (reopen the panel on the sidecar's run). Talks to the runtime only through the
// TrainingClient; the panel shows the run.
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { commands, type Disposable, type ExtensionContext, Uri, window, workspace } from 'vscode';
import { InspectTrainingRequest } from '../../server/protocol';
import { describeFailure } from '../runtime-client';
import {
  nextRunFolder,
  resumeChoices,
  TRAIN_TEMPLATES,
  type TrainTemplate,
  templateText,
} from '../views/train-templates';
import type { TrainingClient } from './client';
import { TrainPanel } from './panel';

const CONFIG_GLOB = '**/{train-*.json,*.train.json}';
const EXCLUDE_GLOB = '**/{node_modules,runs,.propmend}/**';

/** A new config from a template, written where the user says (the save dialog asks before replacing). */
async function createConfig(): Promise<string | undefined> {
  const pick = await window.showQuickPick(
    (Object.keys(TRAIN_TEMPLATES) as TrainTemplate[]).map((name) => ({
      label: TRAIN_TEMPLATES[name].label,
      name,
    })),
    { title: 'New training config from a template' },
  );
  if (!pick) return undefined;
  const folder = workspace.workspaceFolders?.[0]?.uri;
  const target = await window.showSaveDialog({
    title: 'Save the training config',
    ...(folder ? { defaultUri: Uri.joinPath(folder, TRAIN_TEMPLATES[pick.name].file) } : {}),
    filters: { 'Training config': ['json'] },
  });
  if (!target) return undefined;
  const temp = `${target.fsPath}.${process.pid}.tmp`;
  writeFileSync(temp, templateText(pick.name));
  await workspace.fs.rename(Uri.file(temp), target, { overwrite: true });
  await window.showTextDocument(await workspace.openTextDocument(target));
  return target.fsPath;
}

/** The config to train: the argument, the active editor's config, or one picked from the workspace. */
async function chooseConfig(arg: unknown): Promise<string | undefined> {
  if (arg instanceof Uri) return arg.fsPath;
  const found = await workspace.findFiles(CONFIG_GLOB, EXCLUDE_GLOB, 200);
  const active = window.activeTextEditor?.document.uri;
  const items = [
    ...found
      .map((uri) => ({ label: basename(uri.fsPath), description: workspace.asRelativePath(uri), uri }))
      .sort((a, b) => (a.uri.fsPath === active?.fsPath ? -1 : b.uri.fsPath === active?.fsPath ? 1 : 0)),
    { label: '$(new-file) New config from a template…', description: '', uri: undefined },
  ];
  const pick = await window.showQuickPick(items, { title: 'Train a hypernetwork: training config' });
  if (!pick) return undefined;
  return pick.uri ? pick.uri.fsPath : createConfig();
}

async function train(context: ExtensionContext, client: TrainingClient, arg: unknown): Promise<void> {
  const config = await chooseConfig(arg);
  if (!config) return;
  const doc = workspace.textDocuments.find((d) => d.uri.fsPath === config);
  if (doc?.isDirty && !(await doc.save())) return;
  try {
    const on = await client.request(InspectTrainingRequest, { config });
    let out = on.out;
    const choices = resumeChoices(on.saved_step, on.max_steps);
    if (choices.length) {
      const pick = await window.showQuickPick(choices, {
        title: `${basename(config)}: ${out} holds a saved run`,
      });
      if (!pick) return;
      // 'show': starting a finished run's folder ends at once and reads its history back.
      if (pick.action === 'new') out = nextRunFolder(out, existsSync);
    }
    await TrainPanel.createOrShow(context, client).watch.start(config, out);
  } catch (error) {
    const failure = describeFailure(error);
    const open = failure.file && existsSync(failure.file) ? 'Open File' : undefined;
    const choice = await window.showErrorMessage(
      `PropMEND: training ${basename(config)} failed: ${failure.message}`,
      ...(open ? [open] : []),
    );
    if (choice && failure.file) await window.showTextDocument(Uri.file(failure.file));
  }
}

export function registerTrainingCommands(
  context: ExtensionContext,
  client: () => TrainingClient,
): Disposable[] {
  return [
    commands.registerCommand('propmend.trainHypernetwork', (arg?: unknown) => train(context, client(), arg)),
    commands.registerCommand('propmend.showTraining', () => {
      TrainPanel.createOrShow(context, client());
    }),
  ];
}
