// `propmend export`: writes a Hugging Face model folder with edit patches merged into the weights (dense
// W + Σ α dᵀu), through the shared saver (temp folder renamed into place). Never writes into MODEL_DIR or a
// folder containing it; refuses an existing --out without --force. Owns no format: patch-file.ts merges.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { claimOutput } from '../../common/output';
import { Progress } from '../../common/progress';
import { TOOL_VERSION } from '../../runtime/edit/edit-file-common';
import { checkPatchCompatible, mergePatches } from '../../runtime/edit/patch-file';
import { isInside } from '../../runtime/edit/patch-stack';
import { CheckpointError } from '../../runtime/load/format';
import { loadCheckpoint, SAVE_DTYPES, type SaveDType, saveCheckpoint } from '../../runtime/models/checkpoint';
import { type CliCommand, CliError, parseFlags, UsageError } from '../command';
import { PATCH_FLAGS, patchesFromFlags } from './patch';

/** The provenance note written beside the merged weights. */
export const EXPORT_NOTE_FILE = 'propmend-patches.json';

export const exportCommand: CliCommand = {
  summary: 'write a model folder with edit patches merged into its weights',
  usage: `Usage: propmend export MODEL_DIR (--stack FILE | --patch P ...) --out DIR [--force] [--dtype D]

Merges the patches (the stack's first, then each --patch in order) into the target weights as
W + α·dᵀu and writes a Hugging Face folder (config.json, model.safetensors, tokenizer files and
${EXPORT_NOTE_FILE} naming the base model and the patches). MODEL_DIR is never modified.

  --stack FILE       the patches of a patch stack (propmend patch apply)
  --patch P          an edit patch (*.edit.safetensors; repeatable)
  --out DIR          the folder to write; must be new or empty unless --force
  --force            replace an existing --out (the old folder is removed only after the new one is in place)
  --dtype D          ${Object.keys(SAVE_DTYPES).join(', ')} (default float32: rounding to 16 bits can swallow a small edit)`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      ...PATCH_FLAGS,
      out: { type: 'string' },
      force: { type: 'boolean' },
      dtype: { type: 'string' },
    });
    if (positionals.length !== 1)
      throw new UsageError(`expected one model folder, got ${positionals.length} arguments`);
    if (!values.out) throw new UsageError('give --out DIR, the folder to write the merged model to');
    if (values.stack === undefined && !values.patch?.length)
      throw new UsageError('give the patches to merge: --stack FILE and/or --patch P');
    const dtype = (values.dtype ?? 'float32') as SaveDType;
    if (!(dtype in SAVE_DTYPES))
      throw new UsageError(
        `--dtype must be one of ${Object.keys(SAVE_DTYPES).join(', ')}, got "${values.dtype}"`,
      );
    const model = resolve(positionals[0] as string);
    const out = resolve(values.out);
    if (!existsSync(model)) throw new CliError(`model folder ${model} does not exist`);
    if (isInside(out, model) || isInside(model, out)) {
      throw new CliError(
        `--out ${out} overlaps the model folder ${model}, which export never writes; choose another folder`,
      );
    }
    const patches = patchesFromFlags(values, model);
    const stack = values.stack === undefined ? [] : [resolve(values.stack)];
    claimOutput(out, {
      kind: 'folder',
      force: Boolean(values.force),
      inputs: [model, ...stack, ...patches.map((p) => p.file)],
    });
    const loading = new Progress('loading', 100, { write: (t) => io.stderr(t), isTTY: io.stderrIsTTY });
    try {
      const checkpoint = loadCheckpoint(model, {
        onProgress: (p) => loading.update(Math.round((100 * p.bytesDone) / Math.max(1, p.bytesTotal))),
      });
      loading.finish();
      for (const p of patches) checkPatchCompatible(p, checkpoint);
      const merged = mergePatches(checkpoint.weights, patches);
      const note = {
        base_model: model,
        patches: patches.map((p) => ({
          path: p.file,
          sha256: p.sha256,
          fact: p.header.fact,
          method: p.header.method,
        })),
        dtype,
        tool_version: TOOL_VERSION,
        created_at: new Date().toISOString(),
      };
      const saving = new Progress('saving', merged.size, {
        write: (t) => io.stderr(t),
        isTTY: io.stderrIsTTY,
      });
      saveCheckpoint(out, checkpoint.config, merged, {
        dtype,
        tokenizerFrom: model,
        overwrite: Boolean(values.force),
        extraFiles: { [EXPORT_NOTE_FILE]: `${JSON.stringify(note, null, 2)}\n` },
        onProgress: (_, done) => saving.update(done),
      });
      saving.finish();
    } catch (error) {
      loading.finish();
      if (error instanceof CheckpointError) throw new CliError(error.message);
      throw error;
    }
    io.stdout(
      `${out}: ${model} with ${patches.length} patch${patches.length === 1 ? '' : 'es'} merged (${dtype})\n`,
    );
    return 0;
  },
};
