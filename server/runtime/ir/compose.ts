// Composite blocks built only from primitives (so they need no gradient rules of their own): activations,
// norms, linear layers in the Hugging Face weight layout, rotary embeddings, grouped-query attention,
// masked cross-entropy. Model files assemble these; nothing here knows a model family.
import { type Dim, dimMul } from './dim';
import type { Tensor } from './graph';

/** x * sigmoid(x) (Llama/Qwen2 "silu"). */
export function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

/** GELU with the tanh approximation (GPT-2 "gelu_new"). */
export function geluTanh(x: Tensor): Tensor {
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(inner.tanh().add(1)).mul(0.5);
}

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * weight. */
export function rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  const inv = x.mul(x).mean(-1, true).add(eps).sqrt().reciprocal();
  return x.mul(inv).mul(weight);
}

/** LayerNorm over the last axis with affine weight and bias. */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number): Tensor {
  const centered = x.sub(x.mean(-1, true));
  const inv = centered.mul(centered).mean(-1, true).add(eps).sqrt().reciprocal();
  return centered.mul(inv).mul(weight).add(bias);
}

/** x @ W^T (+ b) with W in the Hugging Face [out, in] layout; leading axes of x are flattened for one Gemm. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce<Dim>((acc, d) => dimMul(acc, d), 1);
  const flat = x.rank === 2 ? x : x.reshape([rows, x.dim(-1)]);
  let y = flat.gemm(weight, { transB: true });
  if (bias) y = y.add(bias);
  return x.rank === 2 ? y : y.reshape([...lead, weight.dim(0)]);
}

/** Concatenates (-x2, x1) where x1, x2 are the halves of the last axis. */
export function rotateHalf(x: Tensor): Tensor {
  const d = x.dim(-1);
  if (typeof d !== 'number' || d % 2 !== 0)
    throw new Error(`rotary embedding needs an even static head size, got ${d}`);
  const x1 = x.slice(-1, 0, d / 2);
  const x2 = x.slice(-1, d / 2, d);
  return x.graph.concat([x2.neg(), x1], -1 + x.rank);
}

/** Rotary position embedding in the rotate_half layout: x * cos + rotate_half(x) * sin. */
export function applyRope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  return x.mul(cos).add(rotateHalf(x).mul(sin));
}

/**
 * Scaled dot-product attention with grouped-query heads.
 * q: [B, H, T, D]; k, v: [B, Hkv, S, D]; bias: additive mask broadcastable to [B, H, T, S].
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, bias: Tensor): Tensor {
  const [b, h, , d] = q.shape as [Dim, Dim, Dim, Dim];
  const hkv = k.dim(1);
  if (typeof h !== 'number' || typeof hkv !== 'number' || h % hkv !== 0) {
    throw new Error(`attention heads ${h} must be a multiple of key/value heads ${hkv}`);
  }
  const repeat = (t: Tensor): Tensor => {
    if (h === hkv) return t;
    const s = t.dim(2);
    return t
      .unsqueeze(2)
      .expand([b, hkv, h / hkv, s, d])
      .reshape([b, h, s, d]);
  };
  if (typeof d !== 'number') throw new Error('attention head size must be static');
  const scores = q
    .matmul(repeat(k).mT())
    .mul(1 / Math.sqrt(d))
    .add(bias);
  return scores.softmax(-1).matmul(repeat(v));
}

/**
 * Mean negative log-likelihood of `targets` under `logits`, over positions where `mask` is 1.
 * logits: [..., V]; targets: int64 [...] (any valid id where masked out); mask: float [...], not all zero.
 */
export function maskedCrossEntropy(logits: Tensor, targets: Tensor, mask: Tensor): Tensor {
  const logp = logits.logSoftmax(-1);
  const picked = logp.gatherElements(targets.unsqueeze(-1), -1).squeeze(-1);
  return picked.mul(mask).sum().neg().div(mask.sum());
}
