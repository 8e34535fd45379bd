// Several low-rank edits as one: per linear the u rows and the (step-folded) d rows of every edit
// concatenated in order, so W' = W + Σ_e d_eᵀ u_e, then zero rows up to the largest rank (edited graphs bind
// one rank R for all linears; a zero row adds exactly nothing). The sidecar's in-memory patch stack runs
// through this; patch files have their own α-aware form (patch-file.ts patchToLowRankEdit).
import { maxOf } from '../../common/arrays';
import type { FloatDType, HostTensor } from '../ir/dtype';
import type { LowRankEdit } from '../tasks/forward';

/** One edit made of `edits` in order; undefined for none (the unedited model). */
export function stackEdits(edits: readonly LowRankEdit[]): LowRankEdit | undefined {
  const nonEmpty = edits.filter((e) => e.size > 0);
  if (nonEmpty.length === 0) return undefined;
  if (nonEmpty.length === 1) return nonEmpty[0];
  const parts = new Map<
    string,
    { us: HostTensor<FloatDType>[]; ds: HostTensor<FloatDType>[]; rank: number }
  >();
  for (const edit of nonEmpty) {
    for (const [linear, { u, d }] of edit) {
      let entry = parts.get(linear);
      if (!entry) {
        entry = { us: [], ds: [], rank: 0 };
        parts.set(linear, entry);
      }
      const first = entry.us[0];
      if (first && (first.shape[1] !== u.shape[1] || first.dtype !== u.dtype))
        throw new Error(`edits disagree on the shape or dtype of ${linear}`);
      entry.us.push(u);
      entry.ds.push(d);
      entry.rank += u.shape[0] as number;
    }
  }
  const rank = maxOf(
    [...parts.values()].map((p) => p.rank),
    0,
  );
  const out = new Map<string, { u: HostTensor<FloatDType>; d: HostTensor<FloatDType> }>();
  for (const [linear, { us, ds }] of parts) {
    const concat = (chunks: HostTensor<FloatDType>[]): HostTensor<FloatDType> => {
      const first = chunks[0] as HostTensor<FloatDType>;
      const width = first.shape[1] as number;
      const data =
        first.dtype === 'float64' ? new Float64Array(rank * width) : new Float32Array(rank * width);
      let at = 0;
      for (const c of chunks) {
        data.set(c.data, at);
        at += c.data.length;
      }
      return { dtype: first.dtype, shape: [rank, width], data } as HostTensor<FloatDType>;
    };
    out.set(linear, { u: concat(us), d: concat(ds) });
  }
  return out;
}
