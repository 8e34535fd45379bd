// The identity of a base model as far as an edit cares: family, sizes and a sha256 of the weights an edit
// targets. Hypernetworks and patches record it; compareIdentity says in words what differs when a file meets
// a model it was not made for. Reads weights it is given or, for a folder, only the target tensors.
import { createHash } from 'node:crypto';
import type { FloatDType, HostTensor } from '../ir/dtype';
import { indexCheckpoint, TensorReader } from '../load/reader';
import { readModelConfig } from '../models/checkpoint';
import type { ModelConfig } from '../models/config';
import type { HeaderReader } from './edit-file-common';

/**
 * What a hypernetwork or patch was made for. `target_weights_sha256` is the sha256 of, for each target
 * parameter in `target_params` order: its name in UTF-8, a 0x0A byte, its shape as JSON (e.g. "[160,64]"),
 * a 0x0A byte, then its values as little-endian float32 (float64 weights are rounded to float32 first).
 */
export interface ModelIdentity {
  readonly model_type: string;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_layers: number;
  readonly vocab_size: number;
  /** Hugging Face parameter names (ending in ".weight") in the order the edit uses them. */
  readonly target_params: readonly string[];
  readonly target_weights_sha256: string;
}

/** One field that differs, with a sentence naming it and both values. */
export interface IdentityMismatch {
  readonly field: keyof ModelIdentity;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly message: string;
}

/** A weight as loaded (HostTensor) or as generated (shape and values). */
export type WeightValues =
  | HostTensor<FloatDType>
  | { shape: readonly number[]; data: Float32Array | Float64Array };

/** A model's config and (at least its target) weights. */
export interface IdentitySource {
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, WeightValues>;
}

/** "model.layers.3.mlp.up_proj" or "model.layers.3.mlp.up_proj.weight" → the parameter name with ".weight". */
export function targetParamName(name: string): string {
  return name.endsWith('.weight') ? name : `${name}.weight`;
}

/** The linear-layer name a LowRankEdit uses for a target parameter ("….weight" stripped). */
export function targetLinearName(param: string): string {
  return param.endsWith('.weight') ? param.slice(0, -'.weight'.length) : param;
}

/** Target parameters the weights do not have (as parameter names). */
export function missingTargets(weights: ReadonlyMap<string, unknown>, targets: readonly string[]): string[] {
  return targets.map(targetParamName).filter((p) => !weights.has(p));
}

/** Hashes target weights as documented on ModelIdentity; `get` returns each target's shape and values. */
function hashTargets(
  targets: readonly string[],
  get: (param: string) => { shape: readonly number[]; data: Float32Array | Float64Array },
): string {
  const hash = createHash('sha256');
  for (const param of targets) {
    const { shape, data } = get(param);
    hash.update(`${param}\n${JSON.stringify(shape)}\n`);
    const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
    hash.update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
  }
  return hash.digest('hex');
}

function sizes(config: ModelConfig) {
  return {
    model_type: config.modelType,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_layers: config.numLayers,
    vocab_size: config.vocabSize,
  };
}

/**
 * The identity of a loaded model for the given targets (linear or parameter names; stored as parameter
 * names). Throws when a target is not a weight of the model (check `missingTargets` first for a message).
 */
export function modelIdentity(model: IdentitySource, targetParams: readonly string[]): ModelIdentity {
  const targets = targetParams.map(targetParamName);
  const missing = missingTargets(model.weights, targets);
  if (missing.length) {
    throw new Error(`the model has no parameter ${missing.join(', ')}; an edit cannot target it`);
  }
  return {
    ...sizes(model.config),
    target_params: targets,
    target_weights_sha256: hashTargets(targets, (p) => model.weights.get(p) as WeightValues),
  };
}

/**
 * The identity of a model folder, reading config.json and only the target tensors (cheap for a large model).
 * Returns the missing targets instead of an identity when the folder lacks some of them.
 * Throws CheckpointError for an unreadable folder.
 */
export function folderIdentity(
  dir: string,
  targetParams: readonly string[],
): { identity: ModelIdentity; missing: [] } | { identity: null; missing: string[]; config: ModelConfig } {
  const config = readModelConfig(dir);
  const { tensors } = indexCheckpoint(dir);
  const targets = targetParams.map(targetParamName);
  const missing = missingTargets(tensors, targets);
  if (missing.length) return { identity: null, missing, config };
  const reader = new TensorReader();
  try {
    const sha = hashTargets(targets, (p) => {
      const src = tensors.get(p);
      if (!src) throw new Error(`unreachable: ${p} checked present`);
      return { shape: src.info.shape, data: reader.readFloat(src, 'float32') };
    });
    return {
      identity: { ...sizes(config), target_params: targets, target_weights_sha256: sha },
      missing: [],
    };
  } finally {
    reader.close();
  }
}

const FIELD_WORDS: Record<keyof ModelIdentity, string> = {
  model_type: 'model_type',
  hidden_size: 'hidden_size',
  intermediate_size: 'intermediate_size',
  num_layers: 'num_layers',
  vocab_size: 'vocab_size',
  target_params: 'target parameters',
  target_weights_sha256: 'target weights with sha256',
};

function show(v: unknown): string {
  if (Array.isArray(v)) {
    return v.length <= 4 ? v.join(', ') : `${v.slice(0, 3).join(', ')} … (${v.length} in all)`;
  }
  if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) return `${v.slice(0, 12)}…`;
  return String(v);
}

/**
 * Lists what differs between the identity a file was made for (`expected`) and a model's (`actual`).
 * `madeFor` starts each sentence, e.g. "hypernetwork was trained for" gives
 * "hypernetwork was trained for hidden_size 192, this model has 2048". Empty when they agree.
 */
export function compareIdentity(
  expected: ModelIdentity,
  actual: ModelIdentity,
  madeFor = 'hypernetwork was trained for',
): IdentityMismatch[] {
  const out: IdentityMismatch[] = [];
  for (const field of Object.keys(FIELD_WORDS) as Array<keyof ModelIdentity>) {
    const e = expected[field];
    const a = actual[field];
    const same =
      Array.isArray(e) && Array.isArray(a) ? e.length === a.length && e.every((x, i) => x === a[i]) : e === a;
    if (same) continue;
    let message = `${madeFor} ${FIELD_WORDS[field]} ${show(e)}, this model has ${show(a)}`;
    if (field === 'target_weights_sha256') {
      message += ' (same shapes, different weights: another checkpoint or a fine-tune of it)';
    }
    out.push({ field, expected: e, actual: a, message });
  }
  return out;
}

function missingMessage(
  expected: ModelIdentity,
  missing: readonly string[],
  config: ModelConfig,
  madeFor: string,
) {
  return `${madeFor} ${expected.model_type} with ${expected.num_layers} layers and targets ${show(missing)}, which this ${config.modelType} model with ${config.numLayers} layers does not have`;
}

/**
 * Every reason a file made for `expected` does not fit `model`, as sentences (empty when it fits): targets the
 * model lacks, then differing fields. `madeFor` as in compareIdentity.
 */
export function identityProblems(
  expected: ModelIdentity,
  model: IdentitySource,
  madeFor = 'hypernetwork was trained for',
): string[] {
  const missing = missingTargets(model.weights, expected.target_params);
  const out: string[] = [];
  if (missing.length) {
    out.push(missingMessage(expected, missing, model.config, madeFor));
  }
  const actual: ModelIdentity = missing.length
    ? { ...sizes(model.config), target_params: expected.target_params, target_weights_sha256: 'unknown' }
    : modelIdentity(model, expected.target_params);
  for (const m of compareIdentity(expected, actual, madeFor)) {
    if (missing.length && m.field === 'target_weights_sha256') continue;
    out.push(m.message);
  }
  return out;
}

/** Reads a ModelIdentity from a parsed file header; failures name the file and `field`. */
export function readModelIdentity(v: unknown, field: string, r: HeaderReader): ModelIdentity {
  const o = r.object(v, field);
  const sha = r.string(o.target_weights_sha256, `${field}.target_weights_sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha)) r.fail(`${field}.target_weights_sha256`, 'a hex sha256', sha);
  return {
    model_type: r.string(o.model_type, `${field}.model_type`),
    hidden_size: r.count(o.hidden_size, `${field}.hidden_size`),
    intermediate_size: r.count(o.intermediate_size, `${field}.intermediate_size`),
    num_layers: r.count(o.num_layers, `${field}.num_layers`),
    vocab_size: r.count(o.vocab_size, `${field}.vocab_size`),
    target_params: r.strings(o.target_params, `${field}.target_params`),
    target_weights_sha256: sha,
  };
}

/**
 * identityProblems for a model folder, reading config.json and only the target tensors (for commands that
 * check a patch against a model without loading it). Throws CheckpointError for an unreadable folder.
 */
export function folderIdentityProblems(
  expected: ModelIdentity,
  dir: string,
  madeFor = 'hypernetwork was trained for',
): string[] {
  const found = folderIdentity(dir, expected.target_params);
  if (found.identity) return compareIdentity(expected, found.identity, madeFor).map((m) => m.message);
  const out = [missingMessage(expected, found.missing, found.config, madeFor)];
  const actual = { ...sizes(found.config), target_params: expected.target_params, target_weights_sha256: '' };
  for (const m of compareIdentity(expected, actual, madeFor)) {
    if (m.field !== 'target_weights_sha256') out.push(m.message);
  }
  return out;
}
