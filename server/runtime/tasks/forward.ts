// Forward passes of a loaded decoder: builds (once per model and variant, through graph-memo.ts) the logits
// graph, optionally with a KV cache and with low-rank weight edits applied as factors (edit-inputs.ts), and
// runs it on padded batches. Feeding and unpacking outputs happens here, sampling does not.
import { pushAll } from '../../common/arrays';
import { type FloatDType, type HostTensor, int64Tensor } from '../ir/dtype';
import { Graph } from '../ir/graph';
import { type LanguageModel, weightFeeds } from '../models/language-model';
import { buildDecoder } from '../models/transformer';
import type { CompiledGraph } from '../session/runtime';
import { attentionBias, type PaddedBatch, positionIds, rotaryTables } from './batch';
import {
  type EditGates,
  editedLinears,
  editFeeds,
  editInputs,
  type LowRankEdit,
  lowRankHook,
} from './edit-inputs';
import { modelGraph } from './graph-memo';

// The edit plumbing lives in edit-inputs.ts; these names stay importable from here.
export { editFeeds, type LowRankEdit, lowRankHook };

export interface ForwardVariant {
  /** Only the last position's logits ([B, 1, V]). */
  readonly lastOnly: boolean;
  /** Takes past keys/values and returns present ones. */
  readonly cache: boolean;
  /** Linear layers carrying a low-rank edit, sorted. */
  readonly patched: readonly string[];
  /** The edit's ranks are gated per batch row (edit-inputs.ts EditGates). */
  readonly gated: boolean;
}

function buildForward(model: LanguageModel, variant: ForwardVariant): Graph {
  const { config, dtype } = model;
  const g = new Graph('decoder_forward');
  const ids = g.input('input_ids', 'int64', ['B', 'T']);
  const keys = variant.cache ? 'P+T' : 'T';
  const attnBias = g.input('attn_bias', dtype, ['B', 1, 'T', keys]);
  const cos = g.input('rope_cos', dtype, ['B', 'T', config.headDim]);
  const sin = g.input('rope_sin', dtype, ['B', 'T', config.headDim]);
  const past = variant.cache
    ? Array.from({ length: config.numLayers }, (_, i) => ({
        k: g.input(`past.${i}.k`, dtype, ['B', config.numKvHeads, 'P', config.headDim]),
        v: g.input(`past.${i}.v`, dtype, ['B', config.numKvHeads, 'P', config.headDim]),
      }))
    : undefined;
  const patches = editInputs(model, g, variant.patched, { gated: variant.gated });
  const out = buildDecoder(
    g,
    config,
    { ids, attnBias, cos, sin, ...(past ? { past } : {}) },
    { dtype, lastPositionOnly: variant.lastOnly, ...(patches.size ? { hook: lowRankHook(patches) } : {}) },
  );
  g.output('logits', out.logits);
  if (variant.cache) {
    out.present.forEach((p, i) => {
      g.output(`present.${i}.k`, p.k);
      g.output(`present.${i}.v`, p.v);
    });
  }
  return g;
}

/** The compiled forward graph of `variant`, built once per model. */
export async function forwardGraph(model: LanguageModel, variant: ForwardVariant): Promise<CompiledGraph> {
  return modelGraph(model, `forward:${JSON.stringify(variant)}`, () => buildForward(model, variant));
}

export interface KvCache {
  /** Per layer [B, Hkv, P, headDim]. */
  readonly layers: ReadonlyArray<{ readonly k: HostTensor; readonly v: HostTensor }>;
  /** Key mask [B, P] of the cached positions. */
  readonly mask: readonly number[];
  /** Real tokens cached per row (the next position id). */
  readonly seen: readonly number[];
}

export interface ForwardResult {
  /** [B, T, V] or [B, 1, V]. */
  readonly logits: HostTensor<FloatDType>;
  /** Present when run with a cache: past plus this step's keys and values. */
  readonly cache?: KvCache;
}

/**
 * Runs the decoder on a left-padded batch. With `cache`, the batch continues cached sequences
 * (pass `past` from a previous call, or none for the first step) and the result carries the new cache.
 */
export async function runForward(
  model: LanguageModel,
  batch: PaddedBatch,
  options: {
    lastOnly?: boolean;
    cache?: boolean;
    past?: KvCache;
    edit?: LowRankEdit;
    /** Per-row rank gates of `edit` ([batch, R] per linear). */
    gates?: EditGates;
  } = {},
): Promise<ForwardResult> {
  const useCache = Boolean(options.cache || options.past);
  const variant: ForwardVariant = {
    lastOnly: options.lastOnly ?? false,
    cache: useCache,
    patched: editedLinears(options.edit),
    gated: Boolean(options.edit && options.gates),
  };
  const graph = await forwardGraph(model, variant);
  const { dtype, config } = model;
  const past: KvCache = options.past ?? {
    layers: Array.from({ length: config.numLayers }, () => {
      const empty: HostTensor = {
        dtype,
        shape: [batch.batch, config.numKvHeads, 0, config.headDim],
        data: new (dtype === 'float32' ? Float32Array : Float64Array)(0),
      };
      return { k: empty, v: empty };
    }),
    mask: [],
    seen: new Array(batch.batch).fill(0),
  };
  const pastLength = past.mask.length / batch.batch;
  const keyMask: number[] = [];
  for (let b = 0; b < batch.batch; b++) {
    pushAll(keyMask, past.mask.slice(b * pastLength, (b + 1) * pastLength));
    pushAll(keyMask, batch.mask.slice(b * batch.length, (b + 1) * batch.length));
  }
  const positions = positionIds(batch.mask, batch.batch, past.seen);
  const { cos, sin } = rotaryTables(dtype, positions, batch.batch, model.invFreq);
  const feeds: Record<string, HostTensor> = {
    ...weightFeeds(model),
    ...editFeeds(options.edit, options.edit ? options.gates : undefined),
    input_ids: int64Tensor([batch.batch, batch.length], batch.ids),
    attn_bias: attentionBias(dtype, batch.batch, batch.length, useCache ? keyMask : batch.mask),
    rope_cos: cos,
    rope_sin: sin,
  };
  if (useCache) {
    past.layers.forEach((layer, i) => {
      feeds[`past.${i}.k`] = layer.k;
      feeds[`past.${i}.v`] = layer.v;
    });
  }
  const out = await graph.run(feeds);
  const logits = out.logits as HostTensor<FloatDType>;
  if (!useCache) return { logits };
  const seen = past.seen.map(
    (s, b) => s + batch.mask.slice(b * batch.length, (b + 1) * batch.length).reduce((a, m) => a + m, 0),
  );
  const layers = Array.from({ length: config.numLayers }, (_, i) => ({
    k: out[`present.${i}.k`] as HostTensor,
    v: out[`present.${i}.v`] as HostTensor,
  }));
  return { logits, cache: { layers, mask: keyMask, seen } };
}
