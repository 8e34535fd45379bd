// The one internal model config every family's config.json is normalised into, plus the typed readers of
// raw HF keys that the per-family files (llama.ts, qwen2.ts) share. Owns no IO and no graph code; the
// family table is registry.ts and reading config.json from a folder is checkpoint.ts.
import { CheckpointError } from '../load/format';
import type { DecoderConfig } from './transformer';

export const MODEL_FAMILIES = ['llama', 'qwen2'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/** Rotary scaling variants we implement exactly as Hugging Face does (see rope.ts). */
export const ROPE_SCALING_TYPES = ['default', 'linear', 'llama3'] as const;
export type RopeScaling =
  | { readonly type: 'none' }
  | { readonly type: 'linear'; readonly factor: number }
  | {
      readonly type: 'llama3';
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalMaxPositionEmbeddings: number;
    };

/** A normalised decoder config; a DecoderConfig, so it goes straight to the graph builder. */
export interface ModelConfig extends DecoderConfig {
  readonly family: ModelFamily;
  /** config.json's model_type as written (e.g. "llama", "qwen2"). */
  readonly modelType: string;
  readonly architectures: readonly string[];
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling;
  /** The MLP activation; the shared builder implements SiLU only. */
  readonly hiddenAct: 'silu';
  readonly maxPositionEmbeddings: number;
  readonly bosTokenId: number | null;
  /** config.json's eos_token_id, which may be one id or a list. */
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number | null;
  /** config.json's torch_dtype (or dtype), e.g. "bfloat16"; null when absent. */
  readonly torchDtype: string | null;
  /** The config.json object as read (or as generated), so saving preserves keys we do not model. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Typed access to one raw config.json object, with errors naming the file, the key and the fix. */
export class RawConfig {
  constructor(
    readonly raw: Readonly<Record<string, unknown>>,
    readonly file: string,
  ) {}

  private fail(key: string, want: string, got: unknown): never {
    throw new CheckpointError(
      `${this.file}: "${key}" must be ${want}, got ${typeof got === 'number' ? String(got) : (JSON.stringify(got) ?? 'nothing')}; fix config.json (compare with the original model's config)`,
    );
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** A positive integer; without `fallback` the key is required. */
  int(key: string, fallback?: number): number {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new CheckpointError(
        `${this.file} has no "${key}"; ${typeof this.raw.model_type === 'string' ? `every ${this.raw.model_type} config needs it` : 'it is required'} (copy config.json from the original model folder)`,
      );
    }
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) this.fail(key, 'a positive integer', v);
    return v;
  }

  /** A finite positive number. */
  num(key: string, fallback: number): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(key, 'a positive number', v);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(key, 'true or false', v);
    return v;
  }

  str(key: string, fallback: string): string {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string') this.fail(key, 'a string', v);
    return v;
  }

  /** A token id (non-negative integer) or null. */
  tokenId(key: string, fallback: number | null): number | null {
    const v = this.raw[key];
    if (v === undefined) return fallback;
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(key, 'a token id or null', v);
    return v;
  }

  /** One token id or a list of them. */
  tokenIds(key: string, fallback: readonly number[]): number[] {
    const v = this.raw[key];
    if (v === undefined) return fallback.slice();
    if (v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
      this.fail(key, 'a token id or a list of token ids', v);
    }
    return list as number[];
  }

  strings(key: string): string[] {
    const v = this.raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) this.fail(key, 'a list of strings', v);
    return v as string[];
  }

  /** Newer transformers releases nest rope settings in "rope_parameters"; older ones use top-level keys. */
  ropeParameters(): Record<string, unknown> | null {
    const nested = this.raw.rope_parameters;
    if (nested && typeof nested === 'object' && !Array.isArray(nested))
      return nested as Record<string, unknown>;
    const legacy = this.raw.rope_scaling;
    if (legacy === undefined || legacy === null) return null;
    if (typeof legacy !== 'object' || Array.isArray(legacy))
      this.fail('rope_scaling', 'an object or null', legacy);
    return legacy as Record<string, unknown>;
  }
}

/** Reads rope_theta and rope scaling from either layout; unknown scaling types name the supported ones. */
export function readRope(
  c: RawConfig,
  defaultTheta: number,
): { ropeTheta: number; ropeScaling: RopeScaling } {
  const params = c.ropeParameters();
  const nestedTheta = c.raw.rope_parameters && params ? params.rope_theta : undefined;
  const ropeTheta =
    typeof nestedTheta === 'number' && nestedTheta > 0 ? nestedTheta : c.num('rope_theta', defaultTheta);
  if (!params) return { ropeTheta, ropeScaling: { type: 'none' } };
  const type = params.rope_type ?? params.type ?? 'default';
  const where = c.raw.rope_parameters ? 'rope_parameters' : 'rope_scaling';
  const sub = new RawConfig(params, `${c.file} (${where})`);
  if (type === 'default') return { ropeTheta, ropeScaling: { type: 'none' } };
  if (type === 'linear')
    return { ropeTheta, ropeScaling: { type: 'linear', factor: sub.num('factor', Number.NaN) } };
  if (type === 'llama3') {
    const scaling: RopeScaling = {
      type: 'llama3',
      factor: sub.num('factor', Number.NaN),
      lowFreqFactor: sub.num('low_freq_factor', Number.NaN),
      highFreqFactor: sub.num('high_freq_factor', Number.NaN),
      originalMaxPositionEmbeddings: sub.int('original_max_position_embeddings'),
    };
    for (const [k, v] of Object.entries(scaling)) {
      if (Number.isNaN(v)) {
        throw new CheckpointError(
          `${c.file}: ${where} of type llama3 needs "${toSnake(k)}"; add it to config.json`,
        );
      }
    }
    if (scaling.highFreqFactor <= scaling.lowFreqFactor) {
      throw new CheckpointError(
        `${c.file}: ${where}.high_freq_factor (${scaling.highFreqFactor}) must exceed low_freq_factor (${scaling.lowFreqFactor})`,
      );
    }
    return { ropeTheta, ropeScaling: scaling };
  }
  throw new CheckpointError(
    `${c.file}: ${where} type ${JSON.stringify(type)} is not supported (valid: ${ROPE_SCALING_TYPES.join(', ')}); use a checkpoint without that rope scaling`,
  );
}

function toSnake(key: string): string {
  return key.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
}

/** The HF key/value form of a rope scaling (what config.json's rope_scaling holds). */
export function ropeScalingJson(s: RopeScaling): Record<string, unknown> | null {
  switch (s.type) {
    case 'none':
      return null;
    case 'linear':
      return { rope_type: 'linear', factor: s.factor };
    case 'llama3':
      return {
        rope_type: 'llama3',
        factor: s.factor,
        low_freq_factor: s.lowFreqFactor,
        high_freq_factor: s.highFreqFactor,
        original_max_position_embeddings: s.originalMaxPositionEmbeddings,
      };
  }
}

/** Shape checks every family shares: GQA divisibility and an even rotary head size. */
export function checkShapes(config: ModelConfig, file: string): void {
  if (config.numHeads % config.numKvHeads !== 0) {
    throw new CheckpointError(
      `${file}: num_attention_heads (${config.numHeads}) must be a multiple of num_key_value_heads (${config.numKvHeads}) for grouped-query attention`,
    );
  }
  if (config.headDim % 2 !== 0) {
    throw new CheckpointError(`${file}: head_dim (${config.headDim}) must be even for rotary embeddings`);
  }
}

/** config.json content for a normalised config: the raw keys, overwritten by every field we model and the family's own keys. */
export function configToJson(
  config: ModelConfig,
  torchDtype: string | null,
  familyKeys: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const rope = ropeScalingJson(config.ropeScaling);
  const out: Record<string, unknown> = {
    ...config.raw,
    ...familyKeys,
    architectures: config.architectures.length ? [...config.architectures] : undefined,
    model_type: config.modelType,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    head_dim: config.headDim,
    hidden_act: config.hiddenAct,
    max_position_embeddings: config.maxPositionEmbeddings,
    rms_norm_eps: config.rmsNormEps,
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : [...config.eosTokenIds],
    pad_token_id: config.padTokenId ?? undefined,
    torch_dtype: torchDtype ?? undefined,
  };
  if (out.rope_parameters && typeof out.rope_parameters === 'object') {
    out.rope_parameters = { ...(rope ?? { rope_type: 'default' }), rope_theta: config.ropeTheta };
  } else {
    out.rope_theta = config.ropeTheta;
    out.rope_scaling = rope;
  }
  if ('dtype' in config.raw && torchDtype) out.dtype = torchDtype;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** One parameter of a checkpoint: its Hugging Face name and shape. */
export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** What each family file provides to the registry. */
export interface FamilySpec {
  readonly family: ModelFamily;
  /** config.json model_type values of this family. */
  readonly modelTypes: readonly string[];
  /** config.json architectures values of this family. */
  readonly architectures: readonly string[];
  /** How its blocks differ from the shared decoder, in one sentence (docs and `--help`). */
  readonly summary: string;
  normalize(c: RawConfig): ModelConfig;
  /** Family-specific config.json keys written on save (e.g. Llama's attention_bias). */
  familyKeys(config: ModelConfig): Record<string, unknown>;
  /** Every parameter in checkpoint order, tied lm_head omitted. */
  parameterNames(config: ModelConfig): ParameterSpec[];
}

/** Keys Python writes as floats; HF warns when rope factors arrive as ints, so integers get a ".0". */
const FLOAT_KEYS = [
  'factor',
  'low_freq_factor',
  'high_freq_factor',
  'rope_theta',
  'rms_norm_eps',
  'attention_dropout',
  'initializer_range',
];

/** Pretty JSON (2 spaces, trailing newline) with float-valued keys written as floats, as Python does. */
export function formatConfigJson(value: Readonly<Record<string, unknown>>): string {
  const keys = FLOAT_KEYS.join('|');
  return `${JSON.stringify(value, null, 2).replace(
    new RegExp(`^(\\s*"(?:${keys})": )(-?\\d+)(,?)$`, 'gm'),
    '$1$2.0$3',
  )}\n`;
}
