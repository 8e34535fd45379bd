// Saving and restoring a loaded model's host weights around a baseline that changes them in place (CPT):
// a copy of the touched tensors, restored bit for bit, and a SHA-256 checksum of every weight so a debug
// mode and the tests can prove the restoration. Owns no training; never replaces the weight arrays.
import { createHash } from 'node:crypto';
import type { LanguageModel } from '../models/language-model';

/** SHA-256 over every weight's name, shape and bytes, in name order. */
export function weightsChecksum(model: LanguageModel): string {
  const hash = createHash('sha256');
  for (const name of [...model.weights.keys()].sort()) {
    const t = model.weights.get(name);
    if (!t) continue;
    hash.update(`${name}:${t.shape.join('x')};`);
    hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return hash.digest('hex');
}

/** Thrown when restored weights differ from the originals (a bug, never user input). */
export class RestoreMismatch extends Error {
  override name = 'RestoreMismatch';
}

export interface WeightSnapshot {
  /** Copies the saved values back into the model's arrays; with `verify`, checks the checksum after. */
  restore(): void;
}

/**
 * Copies the named weights so they can be written back after an in-place change. With `verify` (a debug
 * mode, and the tests), the whole model's checksum is taken now and compared after restoring.
 */
export function snapshotWeights(
  model: LanguageModel,
  names: readonly string[],
  options: { verify?: boolean } = {},
): WeightSnapshot {
  const saved: Array<{ target: Float32Array | Float64Array; copy: Float32Array | Float64Array }> = [];
  for (const name of names) {
    const t = model.weights.get(name);
    if (!t) throw new Error(`the model has no parameter ${name}`);
    saved.push({ target: t.data, copy: t.data.slice() });
  }
  const before = options.verify ? weightsChecksum(model) : undefined;
  let restored = false;
  return {
    restore() {
      if (restored) return;
      for (const { target, copy } of saved) target.set(copy);
      restored = true;
      if (before !== undefined && weightsChecksum(model) !== before)
        throw new RestoreMismatch('the weights differ from the originals after restoring');
    },
  };
}

/** Whether restoration is verified by checksum: the debug mode `PROPMEND_DEBUG_RESTORE=1`. */
export function restoreDebugMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PROPMEND_DEBUG_RESTORE === '1';
}
