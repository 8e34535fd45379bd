// What the sidecar writes, only where a request names the target: one stacked edit as a patch file
// (`propmend/savePatch`, the same file `propmend edit --save-patch` writes) and a model folder with the whole
// stack merged into the weights (`propmend/exportModel`, as `propmend export`). Both claim their target
// through claimOutput first (an existing target needs force; the model folder is never a target) and write
// atomically, so a crash never leaves half a file.
import { resolve } from 'node:path';
import { claimOutput } from '../common/output';
import { type JobContext, throwIfCancelled } from '../jobs/context';
import {
  type ExportModelParams,
  type ExportModelResult,
  RuntimeErrorCode,
  type SavePatchParams,
  type SavePatchResult,
} from '../protocol';
import { TOOL_VERSION } from '../runtime/edit/edit-file-common';
import { EDIT_LRS } from '../runtime/edit/hypernet';
import {
  factorsFromFoldedEdit,
  mergeLowRankEdit,
  PATCH_SUFFIX,
  saveEditPatch,
} from '../runtime/edit/patch-file';
import { isInside } from '../runtime/edit/patch-stack';
import { saveCheckpoint } from '../runtime/models/checkpoint';
import { SidecarError } from './errors';
import type { SidecarSession } from './session';

/** The provenance note beside exported weights (the CLI's export writes the same name). */
const EXPORT_NOTE_FILE = 'propmend-patches.json';

export function savePatch(session: SidecarSession, params: SavePatchParams): SavePatchResult {
  const patch = session.patch(params.id);
  const loaded = session.loaded;
  if (!loaded) throw new SidecarError(RuntimeErrorCode.NoModel, 'no model is loaded');
  const path = resolve(params.path);
  if (!path.endsWith(PATCH_SUFFIX))
    throw new SidecarError(
      RuntimeErrorCode.InputError,
      `patch files are named *${PATCH_SUFFIX}, got ${path}`,
      {
        field: 'path',
      },
    );
  const { hypernet } = patch;
  if (!hypernet)
    throw new SidecarError(
      RuntimeErrorCode.InputError,
      `${patch.info.id} is a raw gradient step ("hypernetwork": null), which a patch file does not record`,
      { field: 'id' },
    );
  const lrs = hypernet.net.params.get(EDIT_LRS) as Float32Array;
  const alphas = new Map(
    hypernet.net.layout.spec.targets.map((t, i) => [t, (lrs[i] as number) * patch.editLrScale]),
  );
  const file = saveEditPatch(
    path,
    {
      fact: patch.info.fact,
      subject: patch.subject,
      method: hypernet.method,
      hypernet: { file: hypernet.file, sha256: hypernet.sha256 },
      model: loaded.model,
      factors: factorsFromFoldedEdit(patch.edit, alphas),
    },
    { force: Boolean(params.force), flag: 'path' },
  );
  patch.info = { ...patch.info, saved_to: file };
  return { id: patch.info.id, path: file };
}

export function exportModel(
  session: SidecarSession,
  params: ExportModelParams,
  ctx: JobContext,
): ExportModelResult {
  const loaded = session.loaded;
  if (!loaded) throw new SidecarError(RuntimeErrorCode.NoModel, 'no model is loaded; nothing to export');
  const edit = session.stackedEdit();
  if (!edit)
    throw new SidecarError(
      RuntimeErrorCode.NoSuchPatch,
      'no edit is applied; there is nothing to merge into a new model',
    );
  const out = resolve(params.out);
  if (isInside(out, loaded.modelDir) || isInside(loaded.modelDir, out))
    throw new SidecarError(
      RuntimeErrorCode.OutputRefused,
      `${out} overlaps the model folder ${loaded.modelDir}, which is never written; choose another folder`,
      { field: 'out' },
    );
  claimOutput(out, { kind: 'folder', force: Boolean(params.force), inputs: [loaded.modelDir], flag: 'out' });
  throwIfCancelled(ctx, 'the export');
  ctx.progress({ fraction: 0.1, message: 'merging the edits into the weights' });
  const merged = mergeLowRankEdit(loaded.model.weights, edit);
  const note = {
    base_model: loaded.modelDir,
    edits: session.patches.map((p) => ({
      id: p.info.id,
      fact: p.info.fact,
      method: p.info.method,
      source: p.info.source,
      hypernet: p.hypernet ? { path: p.hypernet.file, sha256: p.hypernet.sha256 } : null,
    })),
    dtype: 'float32',
    tool_version: TOOL_VERSION,
    created_at: new Date().toISOString(),
  };
  saveCheckpoint(out, loaded.model.config, merged, {
    dtype: 'float32',
    tokenizerFrom: loaded.modelDir,
    overwrite: Boolean(params.force),
    extraFiles: { [EXPORT_NOTE_FILE]: `${JSON.stringify(note, null, 2)}\n` },
    onProgress: (_, done, total) =>
      ctx.progress({ fraction: 0.1 + (0.9 * done) / Math.max(1, total), message: 'saving' }),
  });
  ctx.log(`exported ${out} with ${session.patches.length} edits merged`);
  return { out, patches: session.patches.length };
}
