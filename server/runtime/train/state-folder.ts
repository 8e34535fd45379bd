// The on-disk protocol of a resumable training state, shared by pretraining checkpoints and meta-training
// state: a folder with state.safetensors (F32 tensors) and state.json (counters), written as `<name>.next`
// and swapped in by renames (`<name>` -> `<name>.old`, `.next` -> `<name>`), so a kill at any moment leaves
// one whole folder to resume from. Knows nothing of what the tensors and counters mean.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../common/atomic';
import { readAllFloat } from '../load/reader';
import { type TensorToWrite, writeSafetensors } from '../load/writer';

/** Writes tensors and counters as the new `current` folder, replacing the previous one by renames. */
export function writeStateFolder(current: string, tensors: TensorToWrite[], meta: object): void {
  const next = `${current}.next`;
  const old = `${current}.old`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(next, { recursive: true });
  writeSafetensors(join(next, 'state.safetensors'), tensors, 'F32');
  writeJsonAtomic(join(next, 'state.json'), meta);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(current)) renameSync(current, old);
  renameSync(next, current);
  rmSync(old, { recursive: true, force: true });
}

export interface StateFolder<M> {
  /** The folder read: `current`, or `<current>.old` when a kill came between the two renames. */
  readonly folder: string;
  readonly meta: M;
  /** A stored tensor by name; a missing one is an error naming the folder and the way out. */
  take(key: string): Float32Array;
}

/**
 * Reads the state saved at `current` (or its `.old` twin), or null when none was saved. A state.json that is
 * not JSON or not of `format` version 1 is an error naming the folder and telling the user to delete it.
 */
export function readStateFolder<M extends { format: string; version: number }>(
  current: string,
  format: M['format'],
  what: string,
): StateFolder<M> | null {
  const folder = [current, `${current}.old`].find((f) => existsSync(join(f, 'state.json')));
  if (!folder) return null;
  let meta: M;
  try {
    meta = JSON.parse(readFileSync(join(folder, 'state.json'), 'utf8')) as M;
  } catch (error) {
    throw new Error(
      `${join(folder, 'state.json')} is not readable JSON (${(error as Error).message}); delete ${folder} to start over`,
    );
  }
  if (meta.format !== format || meta.version !== 1)
    throw new Error(`${folder} is not ${what} of version 1; delete it to start over`);
  const { tensors } = readAllFloat(join(folder, 'state.safetensors'), 'float32');
  return {
    folder,
    meta,
    take(key) {
      const t = tensors.get(key);
      if (!t) throw new Error(`${folder}/state.safetensors lacks "${key}"; delete ${folder} to start over`);
      return t.data as Float32Array;
    },
  };
}
