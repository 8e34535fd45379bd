// Adam (no weight decay, PyTorch defaults) over the hypernetwork with a learning rate per parameter (the
// transform's and alpha's may differ) and clipping of the global gradient norm across all of them, as
// torch.nn.utils.clip_grad_norm_ before one optimiser step. Its state is the AdamW state of train/adamw.ts.
import { type AdamWState, gradientNorm } from '../train/adamw';

export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** One step; returns the gradient norm before clipping (a non-finite norm skips the step). */
export function adamStep(
  state: AdamWState,
  params: ReadonlyMap<string, Float32Array | Float64Array>,
  grads: ReadonlyMap<string, ArrayLike<number>>,
  lrFor: (name: string) => number,
  clipNorm: number,
): number {
  const norm = gradientNorm(grads);
  if (!Number.isFinite(norm)) return norm;
  const scale = norm > clipNorm ? clipNorm / norm : 1;
  state.step += 1;
  const c1 = 1 - ADAM.beta1 ** state.step;
  const c2 = 1 - ADAM.beta2 ** state.step;
  for (const [name, p] of params) {
    const g = grads.get(name);
    const m = state.m.get(name);
    const v = state.v.get(name);
    if (!g || !m || !v || m.length !== p.length || g.length !== p.length)
      throw new Error(
        `optimizer state or gradient for "${name}" does not match the parameter (${p.length} values)`,
      );
    const lr = lrFor(name);
    for (let i = 0; i < p.length; i++) {
      const gi = (g[i] as number) * scale;
      const mi = ADAM.beta1 * (m[i] as number) + (1 - ADAM.beta1) * gi;
      const vi = ADAM.beta2 * (v[i] as number) + (1 - ADAM.beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = (p[i] as number) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + ADAM.eps);
    }
  }
  return norm;
}
