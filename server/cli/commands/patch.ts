// `propmend patch apply|revert|list`: edits a patch stack file (default .propmend/patches.json in the working
// folder) that records applied edit patches in order; the model folder is never modified. Also exports the
// --stack/--patch flags with which generate, score and export run a model with the stacked patches.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pushAll } from '../../common/arrays';
import { claimOutput } from '../../common/output';
import type { EditJobResult } from '../../jobs/edit';
import { EDIT_LRS } from '../../runtime/edit/hypernet';
import { folderIdentityProblems } from '../../runtime/edit/identity';
import {
  checkPatchCompatible,
  factorsFromFoldedEdit,
  type LoadedPatch,
  loadPatch,
  PATCH_SUFFIX,
  patchToLowRankEdit,
  saveEditPatch,
} from '../../runtime/edit/patch-file';
import {
  DEFAULT_STACK_FILE,
  loadStackEntry,
  loadStackPatches,
  type PatchStack,
  readPatchStack,
  stackEntry,
  stackFilePath,
  writePatchStack,
} from '../../runtime/edit/patch-stack';
import { CheckpointError } from '../../runtime/load/format';
import type { LanguageModel } from '../../runtime/models/language-model';
import type { LowRankEdit } from '../../runtime/tasks/forward';
import { type CliCommand, CliError, type CliIO, parseFlags, UsageError } from '../command';

/** parseArgs options for running a model with patches (generate, score, export). */
export const PATCH_FLAGS = {
  stack: { type: 'string' },
  patch: { type: 'string', multiple: true },
} as const;

export const PATCH_USAGE = `  --stack FILE       run with the patches of a patch stack (see propmend patch apply)
  --patch P          run with an edit patch (*.edit.safetensors; repeatable; after the stack's)`;

/** Runs `fn`, turning file errors (EditFileError, CheckpointError) into CliErrors. */
function cliErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CheckpointError) throw new CliError(error.message);
    throw error;
  }
}

/** The patches named by --stack and --patch, in order (stack first); none when neither flag is given. */
export function patchesFromFlags(
  values: { stack?: string | undefined; patch?: string[] | undefined },
  modelDir: string,
): LoadedPatch[] {
  return cliErrors(() => {
    const out: LoadedPatch[] = [];
    if (values.stack !== undefined) {
      const file = stackFilePath(values.stack, process.cwd(), modelDir);
      if (!existsSync(file))
        throw new CliError(`patch stack ${file} does not exist; create it with propmend patch apply`);
      pushAll(out, loadStackPatches(readPatchStack(file), file));
    }
    for (const p of values.patch ?? []) out.push(loadPatch(p));
    return out;
  });
}

/** The low-rank edit of the --stack/--patch patches for a loaded model, after checking each fits it. */
export function editFromFlags(
  model: LanguageModel,
  values: { stack?: string | undefined; patch?: string[] | undefined },
  io: CliIO,
): LowRankEdit | undefined {
  const patches = patchesFromFlags(values, model.source);
  if (patches.length === 0) return undefined;
  cliErrors(() => {
    for (const p of patches) checkPatchCompatible(p, model);
  });
  io.stderr(
    `editing with ${patches.length} patch${patches.length === 1 ? '' : 'es'}: ${patches.map((p) => JSON.stringify(p.header.fact)).join(', ')}\n`,
  );
  return patchToLowRankEdit(patches, model.dtype);
}

/** Checks a --save-patch target before the edit runs (name, existing file without --force, the spec itself). */
export function claimPatchOutput(path: string, specFile: string, force: boolean): string {
  if (!path.endsWith(PATCH_SUFFIX))
    throw new UsageError(`--save-patch: patch files are named *${PATCH_SUFFIX}, got "${path}"`);
  return claimOutput(path, { kind: 'file', force, inputs: [specFile], flag: '--save-patch' });
}

/**
 * Saves the edit of `propmend edit` as a patch: Ũ, D̃ and the step α · edit_lr_scale per target, recovered
 * from the folded factors so the patch applies the same edit bit for bit. A raw gradient step is refused.
 */
export function savePatchFromEdit(path: string, result: EditJobResult, force: boolean): string {
  const { hypernet } = result;
  if (!hypernet) {
    throw new CliError(
      '--save-patch needs a hypernetwork edit; this spec\'s "hypernetwork": null takes a raw gradient step, which a patch does not record',
    );
  }
  const lrs = hypernet.net.params.get(EDIT_LRS) as Float32Array;
  const alphas = new Map(
    hypernet.net.layout.spec.targets.map((t, i) => [t, (lrs[i] as number) * result.editLrScale]),
  );
  return cliErrors(() =>
    saveEditPatch(
      path,
      {
        fact: result.report.fact,
        subject: result.subject,
        method: hypernet.method,
        hypernet: { file: hypernet.file, sha256: hypernet.sha256 },
        model: result.model,
        factors: factorsFromFoldedEdit(result.edit, alphas),
      },
      { force, flag: '--save-patch' },
    ),
  );
}

const USAGE = `Usage: propmend patch apply MODEL_DIR PATCH... [--stack FILE]
       propmend patch revert [PATCH | --all] [--stack FILE]
       propmend patch list [--stack FILE] [--json]

Edit patches (*.edit.safetensors, written by propmend edit --save-patch) are applied to a patch stack: a
JSON file listing patches in order with their sha256. The model folder is never modified; run the edited
model with \`propmend generate|score MODEL_DIR --stack FILE\` or write a merged copy with
\`propmend export MODEL_DIR --stack FILE --out DIR\`.

  apply      check each patch against MODEL_DIR (model sizes and target weights) and push it on the stack
  revert     pop the last patch, or remove the named PATCH, or every patch with --all
  list       print the stack, checking each patch exists, is unchanged and fits the stack's model
  --stack FILE   the stack file (default ${DEFAULT_STACK_FILE} in the current folder; never inside the model)
  --json         (list) {"stack","model","patches":[{"position","path","fact","method","sha256","applied_at","status","problems"}]}`;

function write(file: string, stack: PatchStack): void {
  cliErrors(() => writePatchStack(file, stack));
}

async function apply(positionals: string[], stackFlag: string | undefined, io: CliIO): Promise<number> {
  const [modelArg, ...patchArgs] = positionals;
  if (!modelArg || patchArgs.length === 0)
    throw new UsageError('give the model folder and at least one patch');
  const model = resolve(modelArg);
  if (!existsSync(model)) throw new CliError(`model folder ${model} does not exist`);
  const file = cliErrors(() => stackFilePath(stackFlag, process.cwd(), model));
  const stack = cliErrors(() => readPatchStack(file));
  if (stack.model !== null && stack.model !== model && stack.patches.length > 0) {
    throw new CliError(
      `${file} holds ${stack.patches.length} patches for ${stack.model}, not ${model}; revert them (propmend patch revert --all) or pass another --stack`,
    );
  }
  const entries = [...stack.patches];
  for (const arg of patchArgs) {
    const patch = cliErrors(() => loadPatch(arg));
    const problems = cliErrors(() =>
      folderIdentityProblems(patch.header.base_model, model, 'patch was made for'),
    );
    if (problems.length) {
      throw new CliError(`${patch.file} does not fit ${model}: ${problems.join('; ')}; nothing was applied`);
    }
    if (entries.some((e) => e.sha256 === patch.sha256)) {
      throw new CliError(`${patch.file} is already on the stack ${file}; nothing was applied`);
    }
    entries.push(stackEntry(patch));
  }
  write(file, { format_version: 1, model, patches: entries });
  for (const e of entries.slice(stack.patches.length))
    io.stdout(`applied ${e.path}: ${JSON.stringify(e.fact)}\n`);
  io.stderr(`${file}: ${entries.length} patch${entries.length === 1 ? '' : 'es'} for ${model}\n`);
  return 0;
}

function revert(positionals: string[], all: boolean, stackFlag: string | undefined, io: CliIO): number {
  if (positionals.length > 1) throw new UsageError('give at most one patch to revert');
  if (all && positionals.length) throw new UsageError('give a patch or --all, not both');
  const file = cliErrors(() => stackFilePath(stackFlag, process.cwd()));
  const stack = cliErrors(() => readPatchStack(file));
  if (stack.patches.length === 0) throw new CliError(`${file} has no applied patch; nothing to revert`);
  let index = stack.patches.length - 1;
  if (positionals[0] !== undefined) {
    const target = resolve(positionals[0]);
    index = stack.patches.findIndex((e) => e.path === target);
    if (index < 0) {
      throw new CliError(
        `${target} is not on the stack ${file}; applied: ${stack.patches.map((e) => e.path).join(', ')}`,
      );
    }
  }
  const removed = all ? stack.patches : [stack.patches[index] as PatchStack['patches'][number]];
  const patches = all ? [] : stack.patches.filter((_, i) => i !== index);
  write(file, { ...stack, patches });
  for (const e of removed) io.stdout(`reverted ${e.path}: ${JSON.stringify(e.fact)}\n`);
  io.stderr(`${file}: ${patches.length} patch${patches.length === 1 ? '' : 'es'} left\n`);
  return 0;
}

function list(stackFlag: string | undefined, json: boolean, io: CliIO): number {
  const file = cliErrors(() => stackFilePath(stackFlag, process.cwd()));
  const stack = cliErrors(() => readPatchStack(file));
  const rows = stack.patches.map((entry, i) => {
    let problems: string[] = [];
    try {
      const patch = loadStackEntry(entry, file, i);
      if (stack.model !== null)
        problems = folderIdentityProblems(patch.header.base_model, stack.model, 'patch was made for');
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      problems = [error.message];
    }
    return { position: i + 1, ...entry, status: problems.length ? 'problem' : 'ok', problems };
  });
  if (json) io.stdout(`${JSON.stringify({ stack: file, model: stack.model, patches: rows })}\n`);
  else {
    io.stdout(
      `${file}: ${rows.length} patch${rows.length === 1 ? '' : 'es'}${stack.model ? ` for ${stack.model}` : ''}\n`,
    );
    for (const r of rows) {
      io.stdout(`${r.position}. ${r.status}  ${r.path}  [${r.method}] ${JSON.stringify(r.fact)}\n`);
      for (const p of r.problems) io.stdout(`     ${p}\n`);
    }
  }
  const bad = rows.filter((r) => r.problems.length).length;
  if (bad) io.stderr(`${bad} patch${bad === 1 ? ' needs' : 'es need'} attention\n`);
  return bad ? 1 : 0;
}

export const patchCommand: CliCommand = {
  summary: 'apply, revert and list edit patches on a patch stack (the model folder is never modified)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      stack: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [action, ...rest] = positionals;
    if (values.all && action !== 'revert') throw new UsageError('--all belongs to patch revert');
    if (values.json && action !== 'list') throw new UsageError('--json belongs to patch list');
    if (action === 'apply') return apply(rest, values.stack, io);
    if (action === 'revert') return revert(rest, Boolean(values.all), values.stack, io);
    if (action === 'list') {
      if (rest.length) throw new UsageError('patch list takes no arguments');
      return list(values.stack, Boolean(values.json), io);
    }
    throw new UsageError(
      action === undefined
        ? 'give an action: apply, revert or list'
        : `unknown action "${action}"; valid: apply, revert, list`,
    );
  },
};
