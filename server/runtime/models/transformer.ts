// The decoder-only transformer graph shared by the Llama and Qwen2 families: embeddings, pre-norm blocks
// with rotary grouped-query attention and a SiLU-gated MLP, final norm, LM head (tied or not), optional KV cache.
// Parameters are graph inputs named as in Hugging Face checkpoints. Hooks let tasks wrap any linear layer
// (capture its input, add a low-rank edit) without the builder knowing about PropMEND.
import { applyRope, attention, linear, rmsNorm, silu } from '../ir/compose';
import type { Dim } from '../ir/dim';
import type { FloatDType } from '../ir/dtype';
import type { Graph, Tensor } from '../ir/graph';

/** What the builder needs from a normalised model config. */
export interface DecoderConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly rmsNormEps: number;
  readonly tieWordEmbeddings: boolean;
  /** q/k/v projections have biases (Qwen2, Llama with attention_bias). */
  readonly qkvBias: boolean;
  /** o_proj has a bias (Llama with attention_bias). */
  readonly oBias: boolean;
  /** MLP projections have biases (Llama with mlp_bias). */
  readonly mlpBias: boolean;
}

/** A linear layer of a block, named by its HF module path without ".weight". */
export type LinearName = string;

/** Rewrites one linear layer; `base` computes the unmodified x W^T + b. */
export type LinearHook = (name: LinearName, x: Tensor, base: () => Tensor) => Tensor;

export interface DecoderInputs {
  /** Token ids, int64 [B, T]. */
  readonly ids: Tensor;
  /** Additive attention mask [B, 1, T, S] (0 = attend, large negative = masked), S = P + T. */
  readonly attnBias: Tensor;
  /** Rotary tables [B, T, headDim] in the rotate_half layout, for each query position. */
  readonly cos: Tensor;
  readonly sin: Tensor;
  /** Cached keys/values per layer, [B, Hkv, P, headDim] each. */
  readonly past?: ReadonlyArray<{ readonly k: Tensor; readonly v: Tensor }>;
}

export interface DecoderOptions {
  readonly dtype: FloatDType;
  readonly hook?: LinearHook;
  /** Compute logits for the last position only ([B, 1, V]); generation needs nothing else. */
  readonly lastPositionOnly?: boolean;
  /** Supplies a parameter tensor; default: a graph `param` input with the HF name. */
  readonly param?: (name: string, shape: readonly number[]) => Tensor;
}

export interface DecoderOutputs {
  /** [B, T, V], or [B, 1, V] with lastPositionOnly. */
  readonly logits: Tensor;
  /** Keys/values including this step's, [B, Hkv, P+T, headDim], per layer. */
  readonly present: ReadonlyArray<{ readonly k: Tensor; readonly v: Tensor }>;
  /** Parameter tensors used, by HF name. */
  readonly params: ReadonlyMap<string, Tensor>;
}

export function layerPrefix(layer: number): string {
  return `model.layers.${layer}`;
}

/** The MLP linears a PropMEND edit can target, in the reference order (gate, up, down). */
export const MLP_MODULES = ['gate_proj', 'up_proj', 'down_proj'] as const;
export type MlpModule = (typeof MLP_MODULES)[number];

export function mlpLinearName(layer: number, module: MlpModule): LinearName {
  return `${layerPrefix(layer)}.mlp.${module}`;
}

export function buildDecoder(
  graph: Graph,
  config: DecoderConfig,
  inputs: DecoderInputs,
  options: DecoderOptions,
): DecoderOutputs {
  const { dtype } = options;
  const params = new Map<string, Tensor>();
  const param = (name: string, shape: readonly number[]): Tensor => {
    let t = params.get(name);
    if (!t) {
      t = options.param ? options.param(name, shape) : graph.param(name, dtype, shape);
      params.set(name, t);
    }
    return t;
  };
  const hook: LinearHook = options.hook ?? ((_name, _x, base) => base());
  const proj = (name: string, x: Tensor, outDim: number, inDim: number, bias: boolean): Tensor => {
    const weight = param(`${name}.weight`, [outDim, inDim]);
    const b = bias ? param(`${name}.bias`, [outDim]) : undefined;
    return hook(name, x, () => linear(x, weight, b));
  };

  const { hiddenSize: d, numHeads: h, numKvHeads: hkv, headDim: hd, numLayers } = config;
  const [batch, seq] = inputs.ids.shape as [Dim, Dim];
  const embed = param('model.embed_tokens.weight', [config.vocabSize, d]);
  let x = embed.gather(inputs.ids);
  const cos = inputs.cos.unsqueeze(1);
  const sin = inputs.sin.unsqueeze(1);
  const present: Array<{ k: Tensor; v: Tensor }> = [];

  for (let layer = 0; layer < numLayers; layer++) {
    const p = layerPrefix(layer);
    const normed = rmsNorm(x, param(`${p}.input_layernorm.weight`, [d]), config.rmsNormEps);
    const heads = (t: Tensor, n: number) => t.reshape([batch, seq, n, hd]).transpose([0, 2, 1, 3]);
    const q = applyRope(heads(proj(`${p}.self_attn.q_proj`, normed, h * hd, d, config.qkvBias), h), cos, sin);
    let k = applyRope(
      heads(proj(`${p}.self_attn.k_proj`, normed, hkv * hd, d, config.qkvBias), hkv),
      cos,
      sin,
    );
    let v = heads(proj(`${p}.self_attn.v_proj`, normed, hkv * hd, d, config.qkvBias), hkv);
    const past = inputs.past?.[layer];
    if (past) {
      k = graph.concat([past.k, k], 2);
      v = graph.concat([past.v, v], 2);
    }
    present.push({ k, v });
    const context = attention(q, k, v, inputs.attnBias)
      .transpose([0, 2, 1, 3])
      .reshape([batch, seq, h * hd]);
    x = x.add(proj(`${p}.self_attn.o_proj`, context, d, h * hd, config.oBias));

    const normed2 = rmsNorm(x, param(`${p}.post_attention_layernorm.weight`, [d]), config.rmsNormEps);
    const gate = proj(`${p}.mlp.gate_proj`, normed2, config.intermediateSize, d, config.mlpBias);
    const up = proj(`${p}.mlp.up_proj`, normed2, config.intermediateSize, d, config.mlpBias);
    x = x.add(proj(`${p}.mlp.down_proj`, silu(gate).mul(up), d, config.intermediateSize, config.mlpBias));
  }

  let final = rmsNorm(x, param('model.norm.weight', [d]), config.rmsNormEps);
  if (options.lastPositionOnly) final = final.slice(1, -1, seq);
  const headWeight = config.tieWordEmbeddings ? embed : param('lm_head.weight', [config.vocabSize, d]);
  const logits = linear(final, headWeight);
  return { logits, present, params };
}
