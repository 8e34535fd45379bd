// Finite-difference checks (float64) of the composite blocks models are built from: RMSNorm, LayerNorm,
// SwiGLU MLP, GELU, linear with bias, rotary grouped-query attention with a causal mask, masked cross-entropy.
// Composites have no rules of their own; these tests check the primitives compose correctly.
import { after, describe, test } from 'node:test';
import {
  applyRope,
  attention,
  geluTanh,
  layerNorm,
  linear,
  maskedCrossEntropy,
  rmsNorm,
  silu,
} from '../../server/runtime/ir/compose';
import type { Tensor } from '../../server/runtime/ir/graph';
import { Runtime } from '../../server/runtime/session/runtime';
import { checkOp } from '../support/check-op';

const at = (xs: Tensor[], i: number) => xs[i] as Tensor;

/** cos/sin tables [T, D] in the rotate_half layout for positions 0..T-1. */
function ropeTables(t: number, d: number, theta = 10000): { cos: number[]; sin: number[] } {
  const cos: number[] = [];
  const sin: number[] = [];
  for (let p = 0; p < t; p++) {
    for (let i = 0; i < d; i++) {
      const f = 1 / theta ** ((2 * (i % (d / 2))) / d);
      cos.push(Math.cos(p * f));
      sin.push(Math.sin(p * f));
    }
  }
  return { cos, sin };
}

function causalBias(t: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) out.push(j <= i ? 0 : -1e9);
  return out;
}

describe('composite blocks match float64 finite differences', () => {
  const runtime = new Runtime({ threads: 1 });
  after(() => runtime.dispose());

  test('RMSNorm', () =>
    checkOp(runtime, 'rmsnorm', [{ shape: [2, 3, 8] }, { shape: [8] }], (_, xs) =>
      rmsNorm(at(xs, 0), at(xs, 1), 1e-6),
    ));

  test('LayerNorm', () =>
    checkOp(runtime, 'layernorm', [{ shape: [2, 6] }, { shape: [6] }, { shape: [6] }], (_, xs) =>
      layerNorm(at(xs, 0), at(xs, 1), at(xs, 2), 1e-5),
    ));

  test('GELU (tanh approximation)', () =>
    checkOp(runtime, 'gelu', [{ shape: [3, 4] }], (_, xs) => geluTanh(at(xs, 0))));

  test('linear with bias on a 3-D input', () =>
    checkOp(runtime, 'linear', [{ shape: [2, 3, 5] }, { shape: [4, 5] }, { shape: [4] }], (_, xs) =>
      linear(at(xs, 0), at(xs, 1), at(xs, 2)),
    ));

  test('SwiGLU MLP', () =>
    checkOp(
      runtime,
      'swiglu',
      [{ shape: [2, 3, 8] }, { shape: [12, 8] }, { shape: [12, 8] }, { shape: [8, 12] }],
      (_, xs) => {
        const x = at(xs, 0);
        return linear(silu(linear(x, at(xs, 1))).mul(linear(x, at(xs, 2))), at(xs, 3));
      },
    ));

  test('rotary grouped-query attention with a causal mask', () => {
    const [t, h, hkv, d, width] = [3, 4, 2, 4, 16];
    const { cos, sin } = ropeTables(t, d);
    return checkOp(
      runtime,
      'gqa-rope',
      [
        { shape: [1, t, width] },
        { shape: [h * d, width] },
        { shape: [hkv * d, width] },
        { shape: [hkv * d, width] },
        { shape: [t, d], fixed: cos },
        { shape: [t, d], fixed: sin },
        { shape: [1, 1, t, t], fixed: causalBias(t) },
      ],
      (_, xs) => {
        const x = at(xs, 0);
        const heads = (w: Tensor, n: number) => linear(x, w).reshape([1, t, n, d]).transpose([0, 2, 1, 3]);
        const q = applyRope(heads(at(xs, 1), h), at(xs, 4), at(xs, 5));
        const k = applyRope(heads(at(xs, 2), hkv), at(xs, 4), at(xs, 5));
        const v = heads(at(xs, 3), hkv);
        return attention(q, k, v, at(xs, 6))
          .transpose([0, 2, 1, 3])
          .reshape([1, t, h * d]);
      },
    );
  });

  test('masked cross-entropy', () =>
    checkOp(
      runtime,
      'cross-entropy',
      [
        { shape: [2, 3, 5] },
        { shape: [2, 3], indices: [1, 4, 0, 2, 2, 3] },
        { shape: [2, 3], fixed: [1, 1, 0, 1, 0, 1] },
      ],
      (_, xs) => maskedCrossEntropy(at(xs, 0), at(xs, 1), at(xs, 2)),
    ));
});
