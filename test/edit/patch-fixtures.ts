// Test helper for the hypernetwork and patch file tests: random factors for a model's MLP targets and a
// random hypernetwork checkpoint in the container's layout. Deterministic from a seed; writes nothing itself.
import { Rng } from '../../server/common/random';
import type { HypernetCheckpoint, HypernetHeaderInput } from '../../server/runtime/edit/hypernet-file';
import { type IdentitySource, modelIdentity } from '../../server/runtime/edit/identity';
import type { FactorsToSave } from '../../server/runtime/edit/patch-file';
import { mlpLinearName } from '../../server/runtime/models/transformer';

export function randomArray(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * rng.normal();
  return out;
}

/** The gate/up/down linears of the given layers (linear names, as capture and LowRankEdit use). */
export function mlpTargets(layers: readonly number[]): string[] {
  return layers.flatMap((l) =>
    (['gate_proj', 'up_proj', 'down_proj'] as const).map((m) => mlpLinearName(l, m)),
  );
}

/** Random factors Ũ [rank, d_in], D̃ [rank, d_out] and α for each target of `model`. */
export function randomFactors(
  model: IdentitySource,
  targets: readonly string[],
  options: { rank?: number; seed?: number; alpha?: number; std?: number } = {},
): Map<string, FactorsToSave> {
  const rng = new Rng(options.seed ?? 1);
  const rank = options.rank ?? 3;
  const out = new Map<string, FactorsToSave>();
  for (const linear of targets) {
    const w = model.weights.get(`${linear}.weight`);
    if (!w) throw new Error(`no ${linear}.weight`);
    const [dOut, dIn] = w.shape as [number, number];
    out.set(linear, {
      u: { shape: [rank, dIn], data: randomArray(rng, rank * dIn, options.std ?? 1) },
      d: { shape: [rank, dOut], data: randomArray(rng, rank * dOut, options.std ?? 1) },
      alpha: options.alpha ?? 0.01 * (1 + rng.next()),
    });
  }
  return out;
}

/** A hypernetwork checkpoint with one shared transform per weight shape, random tensors and statistics. */
export function randomHypernet(
  model: IdentitySource,
  targets: readonly string[],
  seed = 5,
): { header: HypernetHeaderInput; tensors: HypernetCheckpoint['tensors'] } {
  const rng = new Rng(seed);
  const params = targets.map((t) => `${t}.weight`);
  const groups = new Map<string, { x: number; delta: number; params: string[] }>();
  for (const p of params) {
    const w = model.weights.get(p);
    if (!w) throw new Error(`no ${p}`);
    const [dOut, dIn] = w.shape as [number, number];
    const key = `${dIn}x${dOut}`;
    const g = groups.get(key) ?? { x: dIn, delta: dOut, params: [] };
    g.params.push(p);
    groups.set(key, g);
  }
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const transforms = [...groups].map(([name, g]) => {
    const width = g.x + g.delta;
    const rank = Math.min(8, width);
    for (const layer of [0, 1]) {
      tensors.set(`${name}.layers.${layer}.u`, {
        shape: [width, rank],
        data: randomArray(rng, width * rank, 0.1),
      });
      tensors.set(`${name}.layers.${layer}.v`, {
        shape: [rank, width],
        data: randomArray(rng, rank * width, 1),
      });
    }
    tensors.set(`${name}.u_mean`, { shape: [g.x], data: randomArray(rng, g.x, 1) });
    tensors.set(`${name}.u_std`, { shape: [g.x], data: randomArray(rng, g.x, 1).map(Math.abs) });
    tensors.set(`${name}.v_mean`, { shape: [g.delta], data: randomArray(rng, g.delta, 1) });
    tensors.set(`${name}.v_std`, { shape: [g.delta], data: randomArray(rng, g.delta, 1).map(Math.abs) });
    return { name, x_dim: g.x, delta_dim: g.delta, rank, params: g.params };
  });
  return {
    header: {
      method: 'propmend',
      config: { layers: 'max', rank: 8, seed },
      target_params: params,
      transforms,
      normalisation: { mode: 'frozen', counts: Object.fromEntries(transforms.map((t) => [t.name, 17])) },
      alpha: params.map((_, i) => 1e-4 * (i + 1)),
      base_model: modelIdentity(model, params),
      training: { steps: 12, best: { val_edit_loss: 1.25 } },
    },
    tensors,
  };
}
