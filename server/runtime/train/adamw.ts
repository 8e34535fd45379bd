// AdamW on host Float32Arrays (decoupled weight decay, bias-corrected moments) with global-norm gradient
// clipping. Updates parameters in place; its state (moments, step) serialises for checkpoint and resume.
// Knows nothing about graphs: it sees names, parameter arrays and gradient arrays.

export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Clip the global gradient L2 norm to this value (Infinity disables). */
  readonly clipNorm: number;
  /** Parameters matching this test get no weight decay (norm weights, biases). */
  readonly noDecay: (name: string) => boolean;
}

export const DEFAULT_ADAMW: AdamWConfig = {
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.1,
  clipNorm: 1,
  noDecay: (name) => name.endsWith('norm.weight') || name.endsWith('.bias'),
};

export interface AdamWState {
  step: number;
  readonly m: Map<string, Float32Array>;
  readonly v: Map<string, Float32Array>;
}

export function newAdamWState(params: ReadonlyMap<string, Float32Array | Float64Array>): AdamWState {
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [name, p] of params) {
    m.set(name, new Float32Array(p.length));
    v.set(name, new Float32Array(p.length));
  }
  return { step: 0, m, v };
}

/** Global L2 norm of all gradients. */
export function gradientNorm(grads: ReadonlyMap<string, ArrayLike<number>>): number {
  let sum = 0;
  for (const g of grads.values()) sum = addSquares(sum, g);
  return Math.sqrt(sum);
}

/** sum + the squares of g, in order; its own function so each array kind gets one tight loop. */
function addSquares(sum: number, g: ArrayLike<number>): number {
  let s = sum;
  const n = g.length;
  for (let i = 0; i < n; i++) s += (g[i] as number) ** 2;
  return s;
}

/**
 * One AdamW step at learning rate `lr`. Returns the gradient norm before clipping.
 * A non-finite gradient norm skips the update (and is returned so the caller can report it).
 */
export function adamwStep(
  state: AdamWState,
  params: ReadonlyMap<string, Float32Array | Float64Array>,
  grads: ReadonlyMap<string, ArrayLike<number>>,
  lr: number,
  config: AdamWConfig = DEFAULT_ADAMW,
): number {
  const norm = gradientNorm(grads);
  if (!Number.isFinite(norm)) return norm;
  const scale = norm > config.clipNorm ? config.clipNorm / norm : 1;
  state.step += 1;
  const { beta1, beta2, eps } = config;
  const c1 = 1 - beta1 ** state.step;
  const c2 = 1 - beta2 ** state.step;
  for (const [name, p] of params) {
    const g = grads.get(name);
    if (!g) continue;
    const m = state.m.get(name);
    const v = state.v.get(name);
    if (!m || !v || m.length !== p.length || g.length !== p.length) {
      throw new Error(`optimizer state for "${name}" does not match the parameter (${p.length} values)`);
    }
    const decay = config.noDecay(name) ? 0 : config.weightDecay;
    for (let i = 0; i < p.length; i++) {
      const gi = (g[i] as number) * scale;
      const mi = beta1 * (m[i] as number) + (1 - beta1) * gi;
      const vi = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const pi = (p[i] as number) * (1 - lr * decay);
      p[i] = pi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }
  return norm;
}
