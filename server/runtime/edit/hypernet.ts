// The PropMEND/MEND hypernetwork's layout and parameters: which target linears share a gradient transform
// (one per weight-shape group, or one per matrix when not shared), each matrix's mode index, the parameter
// names and shapes, and the seeded identity initialisation. Host arrays only; graphs live in transform.ts.
import { Rng } from '../../common/random';
import type { LanguageModel } from '../models/language-model';

/** The hypernetwork's shape-defining settings (recorded in checkpoints). */
export interface HypernetSpec {
  /** Target linears (HF module paths without ".weight"), in the reference order. */
  readonly targets: readonly string[];
  /** Rank of each low-rank residual layer, capped at d_in + d_out (reference: 1920). */
  readonly rank: number;
  /** One transform per weight-shape group with per-matrix modes (true), or one per matrix (false). */
  readonly shared: boolean;
  /** Initial per-matrix edit learning rate alpha (reference: 1e-4). */
  readonly editLrInit: number;
}

/** One gradient transform and the matrices it serves (their order is the mode index). */
export interface TransformGroup {
  readonly key: string;
  readonly dIn: number;
  readonly dOut: number;
  /** dIn + dOut: the width of [u ; delta]. */
  readonly width: number;
  readonly rank: number;
  readonly members: readonly string[];
}

export interface HypernetLayout {
  readonly spec: HypernetSpec;
  readonly groups: readonly TransformGroup[];
  /** Per target: its group and mode index. */
  readonly placement: ReadonlyMap<string, { readonly group: TransformGroup; readonly mode: number }>;
  /** Parameter names in a fixed order with their shapes (the transforms' layers, then edit_lrs). */
  readonly params: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[] }>;
}

/** The number of residual low-rank layers per transform (reference IDMLP: n_hidden + 1 = 2). */
export const TRANSFORM_LAYERS = 2;
export const EDIT_LRS = 'edit_lrs';

export function layerParam(
  group: TransformGroup,
  layer: number,
  part: 'u' | 'v' | 'bias' | 'mode_scale' | 'mode_shift',
): string {
  return `hnet.${group.key}.layers.${layer}.${part}`;
}

/** Target shapes [d_out, d_in] as the model stores them; an Error names a missing target. */
export function targetShapes(
  weights: LanguageModel['weights'],
  targets: readonly string[],
): Map<string, { dIn: number; dOut: number }> {
  const shapes = new Map<string, { dIn: number; dOut: number }>();
  for (const name of targets) {
    const w = weights.get(`${name}.weight`);
    if (w?.shape.length !== 2)
      throw new Error(`cannot edit "${name}": the model has no 2-D parameter ${name}.weight`);
    shapes.set(name, { dIn: w.shape[1] as number, dOut: w.shape[0] as number });
  }
  return shapes;
}

export function hypernetLayout(
  spec: HypernetSpec,
  shapes: ReadonlyMap<string, { dIn: number; dOut: number }>,
): HypernetLayout {
  if (spec.targets.length === 0) throw new Error('a hypernetwork needs at least one target linear');
  if (!Number.isInteger(spec.rank) || spec.rank < 1)
    throw new Error(`rank must be a positive integer, got ${spec.rank}`);
  const byKey = new Map<string, { dIn: number; dOut: number; members: string[] }>();
  for (const name of spec.targets) {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`no shape for target "${name}"`);
    const key = spec.shared ? `${shape.dIn}x${shape.dOut}` : name.replace(/\./g, '#');
    const entry = byKey.get(key) ?? { ...shape, members: [] };
    entry.members.push(name);
    byKey.set(key, entry);
  }
  const groups: TransformGroup[] = [...byKey].map(([key, g]) => ({
    key,
    dIn: g.dIn,
    dOut: g.dOut,
    width: g.dIn + g.dOut,
    rank: Math.min(spec.rank, g.dIn + g.dOut),
    members: g.members,
  }));
  const placement = new Map<string, { group: TransformGroup; mode: number }>();
  for (const group of groups)
    group.members.forEach((m, mode) => {
      placement.set(m, { group, mode });
    });
  const params: Array<{ name: string; shape: number[] }> = [];
  for (const group of groups) {
    for (let l = 0; l < TRANSFORM_LAYERS; l++) {
      params.push({ name: layerParam(group, l, 'u'), shape: [group.width, group.rank] });
      params.push({ name: layerParam(group, l, 'v'), shape: [group.rank, group.width] });
      params.push({ name: layerParam(group, l, 'bias'), shape: [group.width] });
      params.push({ name: layerParam(group, l, 'mode_scale'), shape: [group.members.length, group.width] });
      params.push({ name: layerParam(group, l, 'mode_shift'), shape: [group.members.length, group.width] });
    }
  }
  params.push({ name: EDIT_LRS, shape: [spec.targets.length] });
  return { spec, groups, placement, params };
}

/**
 * The identity initialisation of the reference (U = 0, V ~ N(0, 1), bias 0, mode scale 1, shift 0;
 * alpha = editLrInit), drawn from `seed` in the fixed parameter order.
 */
export function initHypernetParams(layout: HypernetLayout, seed: number): Map<string, Float32Array> {
  const rng = new Rng(`hypernet-init:${seed}`);
  const params = new Map<string, Float32Array>();
  for (const { name, shape } of layout.params) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name === EDIT_LRS) data.fill(layout.spec.editLrInit);
    else if (name.endsWith('.v')) for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    else if (name.endsWith('.mode_scale')) data.fill(1);
    params.set(name, data);
  }
  return params;
}
