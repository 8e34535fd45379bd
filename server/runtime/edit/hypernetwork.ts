// A hypernetwork in memory: layout, parameter arrays, per-transform normalisation statistics, and the
// edit-time options (inner loss, statistics mode). What a checkpoint loads into and meta-training updates.
// No graphs and no IO here.
import type { LanguageModel } from '../models/language-model';
import {
  type HypernetLayout,
  type HypernetSpec,
  hypernetLayout,
  initHypernetParams,
  targetShapes,
} from './hypernet';
import { cloneWelford, emptyWelford, type WelfordState } from './statistics';

export const INNER_LOSSES = ['clm', 'sft'] as const;
/** clm: mean NLL over BOS + fact + EOS; sft: answer tokens of the verbatim question/answer pairs only. */
export type InnerLoss = (typeof INNER_LOSSES)[number];

export const STATS_MODES = ['frozen', 'reference_online'] as const;
/**
 * How an edit outside meta-training treats the statistics. frozen: as saved. reference_online: the reference
 * test scripts' behaviour (spec 3.8): the first edit discards the saved statistics and they accumulate over
 * the edits that follow, in order.
 */
export type StatsMode = (typeof STATS_MODES)[number];

/** Float32 in training and inference; float64 in gradient tests. */
export type ParamArray = Float32Array | Float64Array;

export interface Hypernetwork {
  readonly layout: HypernetLayout;
  readonly params: Map<string, ParamArray>;
  /** Statistics per transform group key. */
  readonly stats: Map<string, WelfordState>;
  readonly innerLoss: InnerLoss;
}

export function newHypernetwork(
  model: LanguageModel,
  spec: HypernetSpec,
  options: { seed: number; innerLoss: InnerLoss },
): Hypernetwork {
  const layout = hypernetLayout(spec, targetShapes(model.weights, spec.targets));
  const stats = new Map(layout.groups.map((g) => [g.key, emptyWelford(g.dIn, g.dOut)]));
  return { layout, params: initHypernetParams(layout, options.seed), stats, innerLoss: options.innerLoss };
}

/** A copy whose statistics can change without touching the original (parameters are shared, read-only). */
export function withOwnStatistics(net: Hypernetwork, reset: boolean): Hypernetwork {
  const stats = new Map(
    [...net.stats].map(([k, s]) => [
      k,
      reset ? emptyWelford(s.uMean.length, s.dMean.length) : cloneWelford(s),
    ]),
  );
  return { ...net, stats };
}
