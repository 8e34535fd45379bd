// Resumable training checkpoints on disk: one folder holding weights and optimizer moments
// (state.safetensors, F32) and the counters (state.json). A new checkpoint is written beside the old one
// and swapped in by renames, so a crash at any moment leaves a complete checkpoint to resume from.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../common/atomic';
import { readAllFloat } from '../load/reader';
import { type TensorToWrite, writeSafetensors } from '../load/writer';
import { newAdamWState } from './adamw';
import type { CheckpointStore, TrainingState } from './pretrain';

interface StateJson {
  readonly format: 'propmend-training-checkpoint';
  readonly version: 1;
  readonly recipeHash: string;
  readonly step: number;
  readonly optimizerStep: number;
  readonly epochLosses: number[];
  readonly epochLossSum: number;
  readonly epochLossCount: number;
  readonly trainSeconds: number;
  readonly parameters: string[];
}

export class FileCheckpointStore implements CheckpointStore {
  /** `dir` holds `checkpoint/` (current) and, briefly during a save, `checkpoint.next/` and `checkpoint.old/`. */
  constructor(readonly dir: string) {}

  private get current(): string {
    return join(this.dir, 'checkpoint');
  }

  async load(): Promise<TrainingState | null> {
    const old = join(this.dir, 'checkpoint.old');
    const folder = existsSync(join(this.current, 'state.json'))
      ? this.current
      : existsSync(join(old, 'state.json'))
        ? old
        : null;
    if (!folder) return null;
    let meta: StateJson;
    try {
      meta = JSON.parse(readFileSync(join(folder, 'state.json'), 'utf8')) as StateJson;
    } catch (error) {
      throw new Error(
        `${join(folder, 'state.json')} is not readable JSON (${(error as Error).message}); delete ${folder} to start over`,
      );
    }
    if (meta.format !== 'propmend-training-checkpoint' || meta.version !== 1) {
      throw new Error(
        `${folder} is not a propmend training checkpoint of version 1; delete it to start over`,
      );
    }
    const { tensors } = readAllFloat(join(folder, 'state.safetensors'), 'float32');
    const take = (key: string): Float32Array => {
      const t = tensors.get(key);
      if (!t) throw new Error(`${folder}/state.safetensors lacks "${key}"; delete ${folder} to start over`);
      return t.data as Float32Array;
    };
    const weights = new Map(meta.parameters.map((n) => [n, take(`weight.${n}`)]));
    const optimizer = newAdamWState(weights);
    optimizer.step = meta.optimizerStep;
    for (const n of meta.parameters) {
      optimizer.m.set(n, take(`adam_m.${n}`));
      optimizer.v.set(n, take(`adam_v.${n}`));
    }
    return {
      recipeHash: meta.recipeHash,
      step: meta.step,
      weights,
      optimizer,
      epochLosses: meta.epochLosses.slice(),
      epochLossSum: meta.epochLossSum,
      epochLossCount: meta.epochLossCount,
      trainSeconds: meta.trainSeconds,
    };
  }

  async save(state: TrainingState): Promise<void> {
    const next = join(this.dir, 'checkpoint.next');
    const old = join(this.dir, 'checkpoint.old');
    rmSync(next, { recursive: true, force: true });
    mkdirSync(next, { recursive: true });
    const parameters = [...state.weights.keys()];
    const tensors: TensorToWrite[] = [];
    for (const n of parameters) {
      const w = state.weights.get(n) as Float32Array;
      tensors.push({ name: `weight.${n}`, shape: [w.length], data: w });
      tensors.push({
        name: `adam_m.${n}`,
        shape: [w.length],
        data: state.optimizer.m.get(n) as Float32Array,
      });
      tensors.push({
        name: `adam_v.${n}`,
        shape: [w.length],
        data: state.optimizer.v.get(n) as Float32Array,
      });
    }
    writeSafetensors(join(next, 'state.safetensors'), tensors, 'F32');
    const meta: StateJson = {
      format: 'propmend-training-checkpoint',
      version: 1,
      recipeHash: state.recipeHash,
      step: state.step,
      optimizerStep: state.optimizer.step,
      epochLosses: state.epochLosses,
      epochLossSum: state.epochLossSum,
      epochLossCount: state.epochLossCount,
      trainSeconds: state.trainSeconds,
      parameters,
    };
    writeJsonAtomic(join(next, 'state.json'), meta);
    rmSync(old, { recursive: true, force: true });
    if (existsSync(this.current)) renameSync(this.current, old);
    renameSync(next, this.current);
    rmSync(old, { recursive: true, force: true });
  }

  /** Removes every checkpoint folder (after a finished run). */
  clear(): void {
    for (const name of ['checkpoint', 'checkpoint.next', 'checkpoint.old'])
      rmSync(join(this.dir, name), { recursive: true, force: true });
  }
}
