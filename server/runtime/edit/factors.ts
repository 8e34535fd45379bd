// From a fact to the hypernetwork's inputs: the inner-loss batch (CLM over BOS + fact + EOS, or SFT over
// verbatim answers), the capture of u and delta at the kept rows (rows with a loss path), and the
// normalisation statistics each target is normalised with (updated row by row in the reference order, or
// frozen). Produces graph feeds; the transform itself runs in edit.ts or meta-graph.ts.
import { type FloatDType, floatTensor, type HostTensor } from '../ir/dtype';
import type { LanguageModel } from '../models/language-model';
import { nextTokenTargets, padLeft } from '../tasks/batch';
import { capture } from '../tasks/objectives';
import type { Hypernetwork } from './hypernetwork';
import { type Normalizer, normalizer, welfordUpdate } from './statistics';

/** Token rows of an inner loss; row b's tokens from index scoredFrom[b] on are targets (0: all but the first). */
export interface InnerExample {
  readonly rows: ReadonlyArray<readonly number[]>;
  readonly scoredFrom: readonly number[];
}

export interface CapturedFactors {
  /** Inner loss value (mean NLL). */
  readonly loss: number;
  /** Kept rows N (shared by every target). */
  readonly rows: number;
  /** Per target: u [N, d_in] and delta [N, d_out], row-major. */
  readonly layers: Map<string, { readonly u: Float32Array; readonly delta: Float32Array }>;
}

/** Captures u and delta of every target linear at the rows with a loss path. */
export async function captureFactors(
  model: LanguageModel,
  net: Hypernetwork,
  inner: InnerExample,
): Promise<CapturedFactors> {
  const batch = padLeft(inner.rows, model.tokens.pad);
  const targets = nextTokenTargets(model.dtype, batch, (b, t) => {
    const pad = batch.length - (inner.rows[b] as readonly number[]).length;
    return t - pad >= Math.max(1, inner.scoredFrom[b] ?? 1);
  });
  const result = await capture(model, batch, targets, net.layout.spec.targets);
  if (result.rows.length === 0) throw new Error('the fact gives no token with a gradient; is it empty?');
  const layers = new Map<string, { u: Float32Array; delta: Float32Array }>();
  for (const [name, { u, delta }] of result.layers) {
    layers.set(name, { u: takeRows(u, result.rows), delta: takeRows(delta, result.rows) });
  }
  return { loss: result.loss, rows: result.rows.length, layers };
}

function takeRows(t: HostTensor<FloatDType>, rows: readonly number[]): Float32Array {
  const width = t.shape[1] as number;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(t.data.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}

/**
 * The normaliser of each target. With `update`, each target's rows first join its transform's running
 * statistics (in the reference order, so later matrices of a shared group see earlier matrices' rows).
 */
export function normalizers(
  net: Hypernetwork,
  factors: CapturedFactors,
  update: boolean,
): Map<string, Normalizer> {
  const out = new Map<string, Normalizer>();
  const frozen = new Map<string, Normalizer>();
  for (const name of net.layout.spec.targets) {
    const { group } = net.layout.placement.get(name) as { group: { key: string } };
    const stats = net.stats.get(group.key);
    if (!stats) throw new Error(`no statistics for transform ${group.key}`);
    if (update) {
      const { u, delta } = factors.layers.get(name) as { u: Float32Array; delta: Float32Array };
      welfordUpdate(stats, u, delta, factors.rows);
      out.set(name, normalizer(stats));
    } else {
      if (stats.k < 2)
        throw new Error(
          'the hypernetwork has no normalisation statistics (fewer than two rows seen); train it or use statistics mode reference_online',
        );
      let n = frozen.get(group.key);
      if (!n) {
        n = normalizer(stats);
        frozen.set(group.key, n);
      }
      out.set(name, n);
    }
  }
  return out;
}

/** Graph feeds `factors.<target>.*` in the model's dtype. */
export function factorFeeds(
  dtype: FloatDType,
  net: Hypernetwork,
  factors: CapturedFactors,
  norms: ReadonlyMap<string, Normalizer>,
): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const name of net.layout.spec.targets) {
    const { u, delta } = factors.layers.get(name) as { u: Float32Array; delta: Float32Array };
    const n = norms.get(name) as Normalizer;
    const dIn = n.uMean.length;
    const dOut = n.dMean.length;
    const p = `factors.${name}`;
    feeds[`${p}.u`] = floatTensor(dtype, [factors.rows, dIn], u);
    feeds[`${p}.delta`] = floatTensor(dtype, [factors.rows, dOut], delta);
    feeds[`${p}.u_mean`] = floatTensor(dtype, [dIn], n.uMean);
    feeds[`${p}.u_std`] = floatTensor(dtype, [dIn], n.uStd);
    feeds[`${p}.d_mean`] = floatTensor(dtype, [dOut], n.dMean);
    feeds[`${p}.d_std`] = floatTensor(dtype, [dOut], n.dStd);
  }
  return feeds;
}

/** Hypernetwork parameters as graph feeds. */
export function paramFeeds(dtype: FloatDType, net: Hypernetwork): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const { name, shape } of net.layout.params) {
    const data = net.params.get(name);
    if (!data) throw new Error(`hypernetwork parameter ${name} is missing`);
    feeds[name] =
      dtype === 'float32' && data instanceof Float32Array
        ? { dtype, shape: shape.slice(), data }
        : floatTensor(dtype, shape, data);
  }
  return feeds;
}
