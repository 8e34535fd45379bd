// The two compiled graphs MEMIT needs on a loaded decoder (memit-spec.md §8): a capture forward returning the
// down_proj inputs (keys) of chosen layers, the residual stream after block l* (as the sum of the attention and
// MLP outputs up to l*, the embedding added on the host), optionally the masked key second moments K^T K, all
// under an optional low-rank edit; and the z-step graph, a teacher-forced loss with an additive delta on
// block l*'s MLP output and its gradient. Host-side batching and the MEMIT algorithm live in memit.ts.
import { grad } from '../autodiff/grad';
import { maskedCrossEntropy } from '../ir/compose';
import { type Dim, dimMul } from '../ir/dim';
import { type FloatDType, type HostTensor, int64Tensor, scalarOf } from '../ir/dtype';
import { Graph, type Tensor } from '../ir/graph';
import { type LanguageModel, weightFeeds } from '../models/language-model';
import { buildDecoder, type LinearHook, layerPrefix } from '../models/transformer';
import { attentionBias, type PaddedBatch, positionIds, rotaryTables, type Targets } from '../tasks/batch';
import { editedLinears, editFeeds, editInputs, type LowRankEdit, lowRankHook } from '../tasks/edit-inputs';
import { modelGraph } from '../tasks/graph-memo';
import { lossFeeds, lossGraph } from '../tasks/loss-graph';

export function downProj(layer: number): string {
  return `${layerPrefix(layer)}.mlp.down_proj`;
}

/** Whether a linear writes into the residual stream of a block at or below `layer` (o_proj, down_proj). */
function residualWriter(name: string, layer: number): boolean {
  const m = /^model\.layers\.(\d+)\.(?:self_attn\.o_proj|mlp\.down_proj)$/.exec(name);
  return m !== null && Number(m[1]) <= layer;
}

export interface CaptureRequest {
  /** Layers whose down_proj inputs are returned as `key.<l>` [B, T, f]. */
  readonly keyLayers: readonly number[];
  /** Return `resid` [B, T, d]: the sum of every o_proj and down_proj output of blocks 0..residualLayer. */
  readonly residualLayer?: number;
  /** Return `kk.<l>` [f, f] = sum over positions with stat_mask 1 of k k^T, instead of the keys. */
  readonly moments?: boolean;
}

export interface Captured {
  readonly keys: Map<number, HostTensor<FloatDType>>;
  readonly residual?: HostTensor<FloatDType>;
  readonly moments: Map<number, HostTensor<FloatDType>>;
}

/** Runs the capture graph on a left-padded batch (positions skip padding), under `edit` when given. */
export async function captureForward(
  model: LanguageModel,
  batch: PaddedBatch,
  request: CaptureRequest,
  edit?: LowRankEdit,
): Promise<Captured> {
  const patched = editedLinears(edit);
  const keyLayers = request.keyLayers.slice();
  const key = `memit-capture:${keyLayers.join(',')}:${request.residualLayer ?? ''}:${request.moments ? 'kk' : 'k'}:${patched.join(',')}`;
  const graph = await modelGraph(model, key, () => {
    const { config, dtype } = model;
    const g = new Graph('memit_capture');
    const ids = g.input('input_ids', 'int64', ['B', 'T']);
    const attnBias = g.input('attn_bias', dtype, ['B', 1, 'T', 'T']);
    const cos = g.input('rope_cos', dtype, ['B', 'T', config.headDim]);
    const sin = g.input('rope_sin', dtype, ['B', 'T', config.headDim]);
    const statMask = request.moments ? g.input('stat_mask', dtype, ['B', 'T']) : undefined;
    const inner: LinearHook = patched.length
      ? lowRankHook(editInputs(model, g, patched))
      : (_n, _x, base) => base();
    const keys = new Map<number, Tensor>();
    let resid: Tensor | undefined;
    const hook: LinearHook = (name, x, base) => {
      const y = inner(name, x, base);
      for (const l of keyLayers) if (name === downProj(l)) keys.set(l, x);
      if (request.residualLayer !== undefined && residualWriter(name, request.residualLayer))
        resid = resid ? resid.add(y) : y;
      return y;
    };
    buildDecoder(g, config, { ids, attnBias, cos, sin }, { dtype, hook, lastPositionOnly: true });
    for (const l of keyLayers) {
      const k = keys.get(l);
      if (!k) throw new Error(`no linear layer named ${downProj(l)} in this model`);
      if (statMask) {
        const rows = k.shape.slice(0, -1).reduce<Dim>((a, d) => dimMul(a, d), 1);
        const flat = k.mul(statMask.unsqueeze(-1)).reshape([rows, config.intermediateSize]);
        g.output(`kk.${l}`, flat.gemm(flat, { transA: true }));
      } else g.output(`key.${l}`, k);
    }
    if (request.residualLayer !== undefined) {
      if (!resid) throw new Error(`no residual writers up to layer ${request.residualLayer}`);
      g.output('resid', resid);
    }
    return g;
  });
  const { cos, sin } = rotaryTables(
    model.dtype,
    positionIds(batch.mask, batch.batch),
    batch.batch,
    model.invFreq,
  );
  const feeds: Record<string, HostTensor> = {
    ...weightFeeds(model),
    ...editFeeds(edit),
    input_ids: int64Tensor([batch.batch, batch.length], batch.ids),
    attn_bias: attentionBias(model.dtype, batch.batch, batch.length, batch.mask),
    rope_cos: cos,
    rope_sin: sin,
  };
  if (request.moments)
    feeds.stat_mask = {
      dtype: model.dtype,
      shape: [batch.batch, batch.length],
      data: (model.dtype === 'float32' ? Float32Array : Float64Array).from(batch.mask),
    } as HostTensor;
  const out = await graph.run(feeds);
  const result: Captured = { keys: new Map(), moments: new Map() };
  for (const l of keyLayers) {
    if (request.moments) result.moments.set(l, out[`kk.${l}`] as HostTensor<FloatDType>);
    else result.keys.set(l, out[`key.${l}`] as HostTensor<FloatDType>);
  }
  if (request.residualLayer !== undefined)
    return { ...result, residual: out.resid as HostTensor<FloatDType> };
  return result;
}

export interface ZStep {
  /** Total loss without the weight-decay term (added on the host). */
  readonly loss: number;
  readonly nll: number;
  readonly kl: number;
  /** d loss / d delta for every position [B, T, d]. */
  readonly gradient: HostTensor<FloatDType>;
  /** log p(. | KL prompt at its lookup) [V]: p_0 on the first call. */
  readonly klLogp: Float64Array;
}

/**
 * One forward and backward of the z objective: the token-weighted NLL of the rewriting prompts' targets
 * (loss mask weights 1/T per prompt give the reference's per-prompt mean) plus `klFactor` times
 * KL(p_delta || p_ref) at the KL prompt's lookup position (`klSelect` one-hot [B, T]), with `delta` [B, T, d]
 * added to block `layer`'s MLP output.
 */
export async function zObjective(
  model: LanguageModel,
  layer: number,
  batch: PaddedBatch,
  targets: Targets,
  inputs: {
    readonly delta: HostTensor<FloatDType>;
    readonly klSelect: HostTensor<FloatDType>;
    readonly klRef: HostTensor<FloatDType>;
    readonly klFactor: number;
  },
): Promise<ZStep> {
  const graph = await modelGraph(model, `memit-z:${layer}`, () => {
    let delta: Tensor | undefined;
    let select: Tensor | undefined;
    let ref: Tensor | undefined;
    let factor: Tensor | undefined;
    const parts = lossGraph(model, 'memit_z', (g) => {
      delta = g.input('memit_delta', model.dtype, ['B', 'T', model.config.hiddenSize]);
      select = g.input('kl_select', model.dtype, ['B', 'T']);
      ref = g.input('kl_ref', model.dtype, [model.config.vocabSize]);
      factor = g.input('kl_factor', model.dtype, []);
      return (name, _x, base) => (name === downProj(layer) ? base().add(delta as Tensor) : base());
    });
    const d = delta as Tensor;
    const sel = (select as Tensor).unsqueeze(-1);
    const nll = maskedCrossEntropy(parts.logits, parts.targets, parts.mask);
    const logp = parts.logits.logSoftmax(-1);
    const klLogp = logp.mul(sel).sum([0, 1]);
    const kl = klLogp
      .exp()
      .mul(klLogp.sub(ref as Tensor))
      .sum();
    const loss = nll.add(kl.mul(factor as Tensor));
    const [gd] = grad(loss, [d]);
    parts.graph.output('loss', loss);
    parts.graph.output('nll', nll);
    parts.graph.output('kl', kl);
    parts.graph.output('kl_logp', klLogp);
    parts.graph.output('delta_grad', gd as Tensor);
    return parts.graph;
  });
  const out = await graph.run({
    ...lossFeeds(model, batch, targets),
    memit_delta: inputs.delta,
    kl_select: inputs.klSelect,
    kl_ref: inputs.klRef,
    kl_factor: {
      dtype: model.dtype,
      shape: [],
      data: (model.dtype === 'float32' ? Float32Array : Float64Array).of(inputs.klFactor),
    } as HostTensor,
  });
  return {
    loss: scalarOf(out.loss as HostTensor),
    nll: scalarOf(out.nll as HostTensor),
    kl: scalarOf(out.kl as HostTensor),
    gradient: out.delta_grad as HostTensor<FloatDType>,
    klLogp: Float64Array.from(out.kl_logp?.data as ArrayLike<number>),
  };
}
