// Per-question metrics and their aggregation for `propmend eval`: exact match after SQuAD-style normalisation
// (case, punctuation, articles, whitespace; any alias counts), token F1 (best alias), the gold answer's mean
// token log-probability, seeded bootstrap 95% intervals, and grouping by question kind and relation path.
// Pure functions over strings and numbers; answering questions with a model is not this module's business.
import { maxOf } from '../../common/arrays';
import { Rng } from '../../common/random';
import { normalizeAnswer } from './answers';

/** Words dropped before matching, as in SQuAD's evaluation script. */
export const ARTICLES = ['a', 'an', 'the'] as const;

/** normalizeAnswer (case, punctuation, whitespace) with the English articles removed. */
export function normalizeForMatch(text: string): string {
  return normalizeAnswer(text)
    .split(' ')
    .filter((w) => w !== '' && !(ARTICLES as readonly string[]).includes(w))
    .join(' ');
}

/** Exact match after normalizeForMatch against the answer or any alias; an empty prediction never matches. */
export function exactMatchAny(prediction: string, answer: string, aliases: readonly string[] = []): boolean {
  const p = normalizeForMatch(prediction);
  if (p === '') return false;
  return [answer, ...aliases].some((a) => normalizeForMatch(a) === p);
}

/** Token-level F1 between two texts after normalizeForMatch (bag of words, SQuAD's definition). */
export function tokenF1Single(prediction: string, gold: string): number {
  const p = normalizeForMatch(prediction).split(' ').filter(Boolean);
  const g = normalizeForMatch(gold).split(' ').filter(Boolean);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const w of g) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of p) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Token F1 against the best of the answer and its aliases; an empty prediction scores 0. */
export function tokenF1(prediction: string, answer: string, aliases: readonly string[] = []): number {
  if (normalizeForMatch(prediction) === '') return 0;
  return maxOf([answer, ...aliases].map((a) => tokenF1Single(prediction, a)));
}

/**
 * Mean log-probability of the gold answer's tokens in each row of a [B, T] score matrix (as scoreTokens
 * returns it, zeros where a position is not scored), given each row's scored positions by `mask`.
 */
export function meanLogprobs(logprob: ArrayLike<number>, mask: ArrayLike<number>, rows: number): number[] {
  const length = logprob.length / rows;
  return Array.from({ length: rows }, (_, b) => {
    let sum = 0;
    let n = 0;
    for (let t = 0; t < length; t++) {
      if ((mask[b * length + t] as number) !== 0) {
        sum += logprob[b * length + t] as number;
        n++;
      }
    }
    if (n === 0) throw new Error(`row ${b} has no scored answer token`);
    return sum / n;
  });
}

export interface Interval {
  readonly mean: number;
  /** 2.5% and 97.5% percentiles of the bootstrap means. */
  readonly low: number;
  readonly high: number;
  readonly n: number;
  readonly resamples: number;
  readonly seed: number;
}

export const DEFAULT_BOOTSTRAP = { resamples: 1000, seed: 20260101 } as const;

/**
 * Percentile bootstrap 95% interval of the mean of `values`: `resamples` resamples with replacement drawn
 * by a seeded generator, so the same values, count and seed give the same interval on every machine.
 */
export function bootstrapInterval(
  values: readonly number[],
  options: { resamples?: number; seed?: number } = {},
): Interval {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP.seed;
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN, n, resamples, seed };
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const rng = new Rng(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[rng.int(n)] as number;
    means[r] = sum / n;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return { mean, low: at(0.025), high: at(0.975), n, resamples, seed };
}

/** What one question contributes to the aggregates (one record per question of an eval run). */
export interface ScoredQuestion {
  readonly kind: 'verbatim' | 'non-verbatim' | 'locality';
  /** Relation path joined by "/" ("" when the question has none). */
  readonly path: string;
  readonly exactMatch: boolean;
  readonly f1: number;
  /** Mean log-probability of the gold answer's tokens; absent when not scored. */
  readonly logprob?: number;
}

export interface MetricSummary {
  readonly exact_match: Interval;
  readonly f1: Interval;
  readonly logprob?: Interval;
}

/** Intervals of exact match, F1 and (when every question has one) mean log-probability. */
export function summarize(
  questions: readonly ScoredQuestion[],
  options: { resamples?: number; seed?: number } = {},
): MetricSummary {
  const logprobs = questions.map((q) => q.logprob);
  const scored = logprobs.every((l) => l !== undefined) && questions.length > 0;
  return {
    exact_match: bootstrapInterval(
      questions.map((q) => (q.exactMatch ? 1 : 0)),
      options,
    ),
    f1: bootstrapInterval(
      questions.map((q) => q.f1),
      options,
    ),
    ...(scored ? { logprob: bootstrapInterval(logprobs as number[], options) } : {}),
  };
}

export interface Aggregate {
  /** Efficacy on propagation questions whose answer the fact states (verbatim) and on the others. */
  readonly efficacy_verbatim: MetricSummary;
  readonly efficacy_nonverbatim: MetricSummary;
  /** Locality questions: the unrelated answers the edit must keep. */
  readonly specificity: MetricSummary;
  /** Propagation questions by relation path (both kinds), sorted by path. */
  readonly by_path: Record<string, MetricSummary>;
}

/** The paper's table cells for one method and split, each with its interval and n. */
export function aggregate(
  questions: readonly ScoredQuestion[],
  options: { resamples?: number; seed?: number } = {},
): Aggregate {
  const of = (kind: ScoredQuestion['kind']) => questions.filter((q) => q.kind === kind);
  const paths = [...new Set(questions.filter((q) => q.kind !== 'locality').map((q) => q.path))].sort();
  const byPath: Record<string, MetricSummary> = {};
  for (const p of paths)
    byPath[p] = summarize(
      questions.filter((q) => q.kind !== 'locality' && q.path === p),
      options,
    );
  return {
    efficacy_verbatim: summarize(of('verbatim'), options),
    efficacy_nonverbatim: summarize(of('non-verbatim'), options),
    specificity: summarize(of('locality'), options),
    by_path: byPath,
  };
}
