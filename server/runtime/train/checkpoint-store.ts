// Resumable training checkpoints on disk: one folder holding weights and optimizer moments
// (state.safetensors, F32) and the counters (state.json). A new checkpoint is written beside the old one
// and swapped in by renames, so a crash at any moment leaves a complete checkpoint to resume from.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TensorToWrite } from '../load/writer';
import { newAdamWState } from './adamw';
import type { CheckpointStore, TrainingState } from './pretrain';
import { readStateFolder, writeStateFolder } from './state-folder';

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
    const state = readStateFolder<StateJson>(
      this.current,
      'propmend-training-checkpoint',
      'a propmend training checkpoint',
    );
    if (!state) return null;
    const { meta, take } = state;
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
    writeStateFolder(this.current, tensors, meta);
  }

  /** Removes every checkpoint folder (after a finished run). */
  clear(): void {
    for (const name of ['checkpoint', 'checkpoint.next', 'checkpoint.old'])
      rmSync(join(this.dir, name), { recursive: true, force: true });
  }
}
