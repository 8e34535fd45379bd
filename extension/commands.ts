// The editing loop's commands: apply, revert, diff, evaluate, save a patch, export, select model and
// provider, convert RippleEdits. One table of handlers; long work runs under a cancellable progress
// notification whose cancel aborts the sidecar request. Talks to the runtime only through RuntimeAccess.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  commands,
  type Disposable,
  type ExtensionContext,
  ProgressLocation,
  Uri,
  window,
  workspace,
} from 'vscode';
import {
  ApplyEditRequest,
  EvaluateRequest,
  ExportModelRequest,
  ListPatchesRequest,
  type LoadModelParams,
  LoadModelRequest,
  RevertAllRequest,
  RevertRequest,
  RUNTIME_PROVIDERS,
  RuntimeErrorCode,
  type RuntimeProvider,
  SavePatchRequest,
} from '../server/protocol';
import { DiffPanel } from './diff-panel';
import type { InlineResults } from './inline-results';
import {
  describeFailure,
  progressAware,
  quiet,
  type RuntimeAccess,
  type RuntimeClient,
  type RuntimeRequestOptions,
  withModel,
} from './runtime-client';
import { hypernetParam, SETTING, settingPathFor } from './sidecar/settings';
import {
  runtimeSettings,
  settingsContext,
  runtime as sidecar,
  writeRuntimeSetting,
} from './sidecar/vscode-runtime';
import { buildDiffReport } from './views/diff-report';
import { type EditTarget, editTarget } from './views/edit-target';
import { evalSummary } from './views/eval-summary';

/** What a CodeLens or test item passes: a file and the 0-based line of its instance. */
interface InstanceArg {
  readonly file: string;
  readonly line: number;
}

export interface CommandDeps {
  readonly context: ExtensionContext;
  readonly runtime: RuntimeAccess;
  readonly inline: InlineResults;
  /** Log lines for the "PropMEND Runtime" channel (what ran, how long, what it returned). */
  readonly log: (line: string) => void;
}

/** Context key for `when` clauses: the session's patch stack is not empty. */
const HAS_EDITS = 'propmend.hasEdits';

function setHasEdits(count: number): void {
  void commands.executeCommand('setContext', HAS_EDITS, count > 0);
}

function isInstanceArg(v: unknown): v is InstanceArg {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as InstanceArg).file === 'string' &&
    typeof (v as InstanceArg).line === 'number'
  );
}

/** The text of a file as the editor has it (unsaved changes included), else as on disk. */
function textOf(file: string): string {
  const open = workspace.textDocuments.find((d) => d.uri.fsPath === file);
  return open ? open.getText() : readFileSync(file, 'utf8');
}

/** The edit a command means: its argument, else the active editor's spec or the instance under the cursor. */
async function resolveTarget(arg: unknown): Promise<EditTarget | undefined> {
  let file: string;
  let line: number;
  if (isInstanceArg(arg)) {
    file = arg.file;
    line = arg.line;
  } else if (arg instanceof Uri && arg.scheme === 'file') {
    // From an editor title button (the edit-spec form has no text editor): the spec itself.
    file = arg.fsPath;
    line = 0;
  } else {
    const editor = window.activeTextEditor;
    if (!editor) {
      void window.showWarningMessage(
        'PropMEND: open an edit spec (*.edit.json) or a dataset (*.ripple.jsonl) first',
      );
      return undefined;
    }
    file = editor.document.uri.fsPath;
    line = editor.selection.active.line;
  }
  const doc = workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (doc?.isDirty) {
    // The sidecar reads the file from disk: what it edits must be what the user sees.
    const choice = await window.showWarningMessage(
      `PropMEND: ${basename(file)} has unsaved changes; the runtime reads the saved file`,
      'Save and Continue',
    );
    if (choice !== 'Save and Continue' || !(await doc.save())) return undefined;
  }
  const found = editTarget(file, textOf(file), line);
  if (!found.ok) {
    void window.showWarningMessage(`PropMEND: ${found.reason}`);
    return undefined;
  }
  return found.target;
}

/**
 * Runs `work` under a cancellable progress notification. Cancel aborts the request (the sidecar stops
 * between graph runs and leaves the model unedited); failures become one message, with the file to open.
 */
export async function underProgress<R>(
  deps: CommandDeps,
  title: string,
  work: (runtime: RuntimeClient, options: RuntimeRequestOptions) => Promise<R>,
): Promise<R | undefined> {
  const given = deps.runtime();
  if (!given) return undefined;
  const runtime = progressAware(given);
  return window.withProgress(
    { location: ProgressLocation.Notification, title: `PropMEND: ${title}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let shown = 0;
      const started = Date.now();
      try {
        const result = await work(runtime, {
          signal: abort.signal,
          onProgress: (p) => {
            const percent = Math.max(shown, Math.min(100, p.fraction * 100));
            progress.report({ message: p.message, increment: percent - shown });
            shown = percent;
          },
        });
        deps.log(`${title}: done in ${Date.now() - started} ms`);
        return result;
      } catch (error) {
        const failure = describeFailure(error);
        deps.log(`${title}: ${failure.message}`);
        if (failure.cancelled) void window.showInformationMessage(`PropMEND: ${title} ${failure.message}`);
        else {
          const open = failure.file ? ['Open File'] : [];
          void window
            .showErrorMessage(`PropMEND: ${title} failed: ${failure.message}`, ...open)
            .then((choice) => {
              if (choice && failure.file) void window.showTextDocument(Uri.file(failure.file));
            });
        }
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
}

async function applyEdit(deps: CommandDeps, arg: unknown): Promise<void> {
  const target = await resolveTarget(arg);
  if (!target) return;
  // The propmend.hypernetwork setting, unless the spec names its own hypernetwork.
  const spec = target.source.kind === 'spec' ? { text: textOf(target.file) } : undefined;
  const hypernet = hypernetParam(runtimeSettings(deps.context), spec);
  const result = await underProgress(deps, `Apply Edit (${target.label})`, (rt, options) =>
    withModel(
      rt,
      () => chosenModel(deps.context),
      () => rt.request(ApplyEditRequest, { source: target.source, ...hypernet }, options),
      options,
    ),
  );
  if (!result) return;
  setHasEdits(result.patch.position);
  // Read the text again: the located questions must match the file the sidecar read.
  const fresh = editTarget(target.file, textOf(target.file), target.instance?.line ?? 0);
  const instance = fresh.ok ? fresh.target.instance : target.instance;
  const report = buildDiffReport(result, {
    file: target.file,
    label: target.label,
    ...(instance ? { instance } : {}),
  });
  if (instance) deps.inline.show(target.file, instance, report);
  DiffPanel.createOrShow(deps.context).show(report);
  const right = report.scores
    .map((s) => `${s.group} ${s.rightBefore}/${s.total} → ${s.rightAfter}/${s.total}`)
    .join(', ');
  deps.log(`applied ${result.patch.id} (${result.report.method}) from ${target.label}: ${right}`);
}

async function revert(deps: CommandDeps, all: boolean): Promise<void> {
  const result = await underProgress(deps, all ? 'Revert All Edits' : 'Revert Last Edit', (rt, options) =>
    all ? rt.request(RevertAllRequest, {}, quiet(options)) : rt.request(RevertRequest, {}, quiet(options)),
  );
  if (!result) return;
  setHasEdits(result.patches.length);
  deps.inline.clearAll();
  const what = result.reverted.map((p) => `${p.id} (${p.fact})`).join(', ') || 'nothing';
  void window.showInformationMessage(
    `PropMEND: reverted ${what}; ${result.patches.length} edit${result.patches.length === 1 ? '' : 's'} left`,
  );
}

async function showDiff(deps: CommandDeps, arg: unknown): Promise<void> {
  const report = isInstanceArg(arg) ? deps.inline.reportAt(arg.file, arg.line) : undefined;
  const panel = DiffPanel.createOrShow(deps.context);
  if (report) panel.show(report);
}

async function evaluate(deps: CommandDeps, arg: unknown): Promise<void> {
  const target = await resolveTarget(arg);
  if (!target) return;
  const result = await underProgress(deps, `Evaluate Instance (${target.label})`, (rt, options) =>
    withModel(
      rt,
      () => chosenModel(deps.context),
      () => rt.request(EvaluateRequest, { source: target.source, methods: ['base', 'propmend'] }, options),
      options,
    ),
  );
  if (!result) return;
  const line = evalSummary(result, target.label);
  deps.log(line);
  void window.showInformationMessage(`PropMEND: ${line}`);
}

async function savePatch(deps: CommandDeps): Promise<void> {
  const runtime = deps.runtime();
  if (!runtime) return;
  const list = await underProgress(deps, 'Save Edit as Patch', (rt, o) =>
    rt.request(ListPatchesRequest, {}, quiet(o)),
  );
  if (!list) return;
  if (list.patches.length === 0) {
    void window.showInformationMessage('PropMEND: no edit to save; run "PropMEND: Apply Edit" first');
    return;
  }
  const top = [...list.patches].reverse();
  const picked =
    top.length === 1
      ? top[0]
      : (
          await window.showQuickPick(
            top.map((p) => ({
              label: p.id,
              description: p.fact,
              detail: `${p.method} · ${p.applied_at}`,
              patch: p,
            })),
            { title: 'Which edit to save as a patch file' },
          )
        )?.patch;
  if (!picked) return;
  const near = picked.source.file
    ? dirname(picked.source.file)
    : (workspace.workspaceFolders?.[0]?.uri.fsPath ?? '');
  const target = await window.showSaveDialog({
    title: `Save ${picked.id} (${picked.fact}) as a patch`,
    defaultUri: Uri.file(join(near, `${picked.id}.edit.safetensors`)),
    filters: { 'PropMEND patch': ['safetensors'] },
  });
  if (!target) return;
  // The save dialog asked before replacing an existing file.
  const force = existsSync(target.fsPath);
  const saved = await underProgress(deps, 'Save Edit as Patch', (rt, o) =>
    rt.request(SavePatchRequest, { id: picked.id, path: target.fsPath, force }, quiet(o)),
  );
  if (saved) void window.showInformationMessage(`PropMEND: saved ${saved.id} to ${saved.path}`);
}

async function exportModel(deps: CommandDeps): Promise<void> {
  const target = await window.showSaveDialog({
    title: 'Export the edited model into a new folder (the loaded model with every applied edit merged)',
    saveLabel: 'Export',
  });
  if (!target) return;
  const result = await underProgress(deps, 'Export Edited Model', async (rt, options) => {
    const run = (force: boolean) => rt.request(ExportModelRequest, { out: target.fsPath, force }, options);
    try {
      return await run(false);
    } catch (error) {
      if ((error as { code?: number }).code !== RuntimeErrorCode.OutputRefused) throw error;
      const choice = await window.showWarningMessage(
        `PropMEND: ${(error as Error).message}`,
        { modal: true },
        'Replace',
      );
      return choice === 'Replace' ? run(true) : undefined;
    }
  });
  if (result)
    void window.showInformationMessage(`PropMEND: exported ${result.patches} edit(s) into ${result.out}`);
}

function provider(deps: CommandDeps): RuntimeProvider {
  return runtimeSettings(deps.context).model.provider ?? 'cpu';
}

/**
 * The model a dataset instance is edited on, with the provider and threads: the settings propmend.model
 * (Select Model writes it; empty: the shipped model), propmend.provider and propmend.threads.
 */
export function chosenModel(context: ExtensionContext): LoadModelParams {
  return runtimeSettings(context).model;
}

async function loadModel(deps: CommandDeps, folder: string): Promise<void> {
  const { threads } = chosenModel(deps.context);
  const info = await underProgress(deps, `Load Model (${basename(folder)})`, (rt, o) =>
    rt.request(LoadModelRequest, { folder, provider: provider(deps), ...(threads ? { threads } : {}) }, o),
  );
  if (!info) return;
  await writeRuntimeSetting(SETTING.model, settingPathFor(folder, settingsContext(deps.context)));
  void window.showInformationMessage(
    `PropMEND: loaded ${basename(info.folder)} (${info.model_type}, ${info.num_layers} layers, ${info.parameters.toLocaleString('en-US')} parameters) on ${info.provider} in ${info.load_ms} ms`,
  );
}

async function selectModel(deps: CommandDeps): Promise<void> {
  const shipped = deps.context.asAbsolutePath(join('assets', 'models', 'tiny-world'));
  const current = chosenModel(deps.context).folder;
  const items = [
    {
      label: 'Shipped model',
      description: 'tiny-world (the model the examples are made for)',
      folder: shipped,
    },
    ...(current && current !== shipped
      ? [{ label: basename(current), description: current, folder: current }]
      : []),
    {
      label: 'Browse…',
      description: 'a Hugging Face model folder (config.json, *.safetensors, tokenizer.json)',
      folder: '',
    },
  ];
  const picked = await window.showQuickPick(items, { title: 'PropMEND: model to edit' });
  if (!picked) return;
  let folder = picked.folder;
  if (!folder) {
    const chosen = await window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      title: 'Model folder',
    });
    if (!chosen?.[0]) return;
    folder = chosen[0].fsPath;
  }
  await loadModel(deps, folder);
}

async function selectProvider(deps: CommandDeps): Promise<void> {
  const now = provider(deps);
  const picked = await window.showQuickPick(
    RUNTIME_PROVIDERS.map((p) => ({ label: p, description: p === now ? 'current' : '' })),
    { title: 'PropMEND: execution provider (cuda and webgpu need their onnxruntime builds; see the README)' },
  );
  if (!picked) return;
  await writeRuntimeSetting(SETTING.provider, picked.label);
  // A loaded model moves to the new provider now; otherwise the next load uses it.
  const model = sidecarState().model?.folder;
  if (model) await loadModel(deps, model);
  else void window.showInformationMessage(`PropMEND: the next model loads on ${picked.label}`);
}

async function convertRippleEdits(deps: CommandDeps, arg: unknown): Promise<void> {
  // From the explorer's context menu the file comes as the argument.
  const given = arg instanceof Uri && arg.scheme === 'file' ? [arg] : undefined;
  const input =
    given ??
    (await window.showOpenDialog({
      title: 'RippleEdits file to convert (popular.json, random.json, recent.json)',
      filters: { JSON: ['json'] },
      canSelectMany: false,
    }));
  if (!input?.[0]) return;
  const from = input[0].fsPath;
  const target = await window.showSaveDialog({
    title: 'Write the converted dataset',
    defaultUri: Uri.file(join(dirname(from), `${basename(from, '.json')}.ripple.jsonl`)),
    filters: { 'PropMEND dataset': ['jsonl'] },
  });
  if (!target) return;
  const cli = deps.context.asAbsolutePath(join('bin', 'propmend.js'));
  // The save dialog asked before replacing; the CLI never writes over its input.
  const args = [
    cli,
    'convert',
    'rippleedits',
    from,
    '-o',
    target.fsPath,
    ...(existsSync(target.fsPath) ? ['--force'] : []),
  ];
  const ok = await window.withProgress(
    {
      location: ProgressLocation.Notification,
      title: `PropMEND: converting ${basename(from)}`,
      cancellable: true,
    },
    (_progress, token) =>
      new Promise<boolean>((done) => {
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
        });
        token.onCancellationRequested(() => child.kill('SIGTERM'));
        child.on('error', (e) => {
          void window.showErrorMessage(`PropMEND: cannot run the converter: ${e.message}`);
          done(false);
        });
        child.on('close', (code) => {
          deps.log(`convert ${from} -> ${target.fsPath}: exit ${code}${stderr ? `\n${stderr.trim()}` : ''}`);
          if (code === 0) done(true);
          else {
            if (!token.isCancellationRequested)
              void window.showErrorMessage(
                `PropMEND: conversion failed: ${stderr.trim().split('\n').at(-1) ?? `exit ${code}`}`,
              );
            done(false);
          }
        });
      }),
  );
  if (ok) await window.showTextDocument(await workspace.openTextDocument(target));
}

function sidecarState() {
  return sidecar().manager.state;
}

/** Registers every command; each handler reports its own failures. */
export function registerCommands(deps: CommandDeps): Disposable[] {
  const table: Record<string, (arg?: unknown) => Promise<void>> = {
    'propmend.applyEdit': (arg) => applyEdit(deps, arg),
    'propmend.revertLastEdit': () => revert(deps, false),
    'propmend.revertAllEdits': () => revert(deps, true),
    'propmend.showDiff': (arg) => showDiff(deps, arg),
    'propmend.evaluateInstance': (arg) => evaluate(deps, arg),
    'propmend.savePatch': () => savePatch(deps),
    'propmend.exportModel': () => exportModel(deps),
    'propmend.selectModel': () => selectModel(deps),
    'propmend.selectProvider': () => selectProvider(deps),
    'propmend.convertRippleEdits': (arg) => convertRippleEdits(deps, arg),
  };
  return Object.entries(table).map(([id, run]) => commands.registerCommand(id, run));
}
