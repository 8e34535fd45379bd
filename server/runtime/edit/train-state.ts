// Resumable meta-training state on disk: hypernetwork parameters and Adam moments (state.safetensors, F32)
// plus counters, normalisation statistics and early-stopping state (state.json, exact JSON numbers). A new
// state is written beside the old one and swapped in by renames, so a kill at any moment leaves one whole
// state to resume from.
import { join } from 'node:path';
import type { TensorToWrite } from '../load/writer';
import type { AdamWState } from '../train/adamw';
import { readStateFolder, writeStateFolder } from '../train/state-folder';
import { type WelfordJson, type WelfordState, welfordFromJson, welfordToJson } from './statistics';

export interface EarlyStopping {
  best: number | null;
  bestStep: number;
  sinceBest: number;
}

export interface MetaTrainState {
  /** Hash of the training config (a different config refuses to resume). */
  readonly configHash: string;
  /** Optimiser steps done; instances done = step * instances_per_step. */
  step: number;
  readonly params: Map<string, Float32Array>;
  readonly optimizer: AdamWState;
  readonly stats: Map<string, WelfordState>;
  early: EarlyStopping;
  trainSeconds: number;
  stopped: boolean;
}

interface StateJson {
  readonly format: 'propmend-meta-training-state';
  readonly version: 1;
  readonly configHash: string;
  readonly step: number;
  readonly optimizerStep: number;
  readonly stats: Record<string, WelfordJson>;
  readonly early: EarlyStopping;
  readonly trainSeconds: number;
  readonly stopped: boolean;
  readonly params: string[];
}

export function saveTrainState(dir: string, state: MetaTrainState): void {
  const tensors: TensorToWrite[] = [];
  const names = [...state.params.keys()];
  for (const n of names) {
    const p = state.params.get(n) as Float32Array;
    tensors.push({ name: `param.${n}`, shape: [p.length], data: p });
    tensors.push({ name: `adam_m.${n}`, shape: [p.length], data: state.optimizer.m.get(n) as Float32Array });
    tensors.push({ name: `adam_v.${n}`, shape: [p.length], data: state.optimizer.v.get(n) as Float32Array });
  }
  const meta: StateJson = {
    format: 'propmend-meta-training-state',
    version: 1,
    configHash: state.configHash,
    step: state.step,
    optimizerStep: state.optimizer.step,
    stats: Object.fromEntries([...state.stats].map(([k, s]) => [k, welfordToJson(s)])),
    early: state.early,
    trainSeconds: state.trainSeconds,
    stopped: state.stopped,
    params: names,
  };
  writeStateFolder(join(dir, 'state'), tensors, meta);
}

/** Loads the state of `dir`, or null when none was saved; `shapes` gives each group's widths for checks. */
export function loadTrainState(
  dir: string,
  shapes: ReadonlyMap<string, { dIn: number; dOut: number }>,
): MetaTrainState | null {
  const state = readStateFolder<StateJson>(
    join(dir, 'state'),
    'propmend-meta-training-state',
    'a meta-training state',
  );
  if (!state) return null;
  const { folder, meta, take } = state;
  const params = new Map(meta.params.map((n) => [n, take(`param.${n}`)]));
  const optimizer: AdamWState = {
    step: meta.optimizerStep,
    m: new Map(meta.params.map((n) => [n, take(`adam_m.${n}`)])),
    v: new Map(meta.params.map((n) => [n, take(`adam_v.${n}`)])),
  };
  const stats = new Map<string, WelfordState>();
  for (const [key, json] of Object.entries(meta.stats)) {
    const shape = shapes.get(key);
    if (!shape)
      throw new Error(`${folder}: statistics for unknown transform "${key}"; delete ${folder} to start over`);
    stats.set(key, welfordFromJson(json, shape.dIn, shape.dOut, `${folder}/state.json stats.${key}`));
  }
  return {
    configHash: meta.configHash,
    step: meta.step,
    params,
    optimizer,
    stats,
    early: meta.early,
    trainSeconds: meta.trainSeconds,
    stopped: meta.stopped,
  };
}
