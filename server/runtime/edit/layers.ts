// Which MLP matrices an edit targets: the layer presets of the reference configs (top, mid-upper, max),
// scaled proportionally to any depth, plus `all` and explicit lists, expanded to linear names in the
// reference order (layer ascending; gate, up, down). Pure functions; no model weights here.
import { MLP_MODULES, type MlpModule, mlpLinearName } from '../models/transformer';

export const LAYER_PRESETS = ['top', 'mid-upper', 'max', 'all'] as const;
export type LayerPreset = (typeof LAYER_PRESETS)[number];
/** A preset name or an explicit list of layer indices. */
export type LayerSpec = LayerPreset | readonly number[];

/**
 * The reference's ranges for Llama-3.2-1B (16 layers): top 13-15, mid-upper 10-12, max 4-15; and for
 * Qwen2.5-1.5B (28 layers): top 23-27, mid-upper 18-22, max 14-27. Inclusive.
 */
const REFERENCE: Record<number, Record<Exclude<LayerPreset, 'all'>, [number, number]>> = {
  16: { top: [13, 15], 'mid-upper': [10, 12], max: [4, 15] },
  28: { top: [23, 27], 'mid-upper': [18, 22], max: [14, 27] },
};

/**
 * Layer indices of a preset for a model of `numLayers` layers. Depths 16 and 28 get the reference lists;
 * any other depth L scales the Llama-1B range [a, b] of 16 layers proportionally:
 * start = floor(a * L / 16), end = max(start, floor((b + 1) * L / 16) - 1).
 * For the shipped 4-layer model: top = [3], mid-upper = [2], max = [1, 2, 3], all = [0, 1, 2, 3].
 */
export function presetLayers(preset: LayerPreset, numLayers: number): number[] {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  if (preset === 'all') return range(0, numLayers - 1);
  const exact = REFERENCE[numLayers]?.[preset];
  if (exact) return range(exact[0], exact[1]);
  const [a, b] = (REFERENCE[16] as Record<string, [number, number]>)[preset] as [number, number];
  const start = Math.min(numLayers - 1, Math.floor((a * numLayers) / 16));
  const end = Math.max(start, Math.floor(((b + 1) * numLayers) / 16) - 1);
  return range(start, Math.min(end, numLayers - 1));
}

/** Resolves a layer spec; an explicit list must name existing layers (an Error names the bad index). */
export function resolveLayers(spec: LayerSpec, numLayers: number): number[] {
  if (typeof spec === 'string') {
    if (!LAYER_PRESETS.includes(spec as LayerPreset))
      throw new Error(
        `unknown layer preset "${spec}"; valid: ${LAYER_PRESETS.join(', ')} or a list of indices`,
      );
    return presetLayers(spec as LayerPreset, numLayers);
  }
  const list = [...new Set(spec)].sort((x, y) => x - y);
  if (list.length === 0) throw new Error('the layer list is empty; give at least one layer index');
  const bad = list.find((l) => !Number.isInteger(l) || l < 0 || l >= numLayers);
  if (bad !== undefined)
    throw new Error(`layer ${bad} does not exist: the model has layers 0-${numLayers - 1}`);
  return list;
}

/** Target linear names (without ".weight") in the reference order. */
export function targetLinears(
  layers: readonly number[],
  modules: readonly MlpModule[] = MLP_MODULES,
): string[] {
  return layers.flatMap((l) =>
    MLP_MODULES.filter((m) => modules.includes(m)).map((m) => mlpLinearName(l, m)),
  );
}
