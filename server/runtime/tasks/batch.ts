// Host-side batch preparation for decoder graphs: left padding, attention masks as additive biases,
// position ids that skip padding, rotary cos/sin tables, and next-token targets with loss masks.
// Pure array code: no graphs, no sessions.
import { maxOf } from '../../common/arrays';
import { type FloatDType, floatTensor, type HostTensor, int64Tensor } from '../ir/dtype';

/** Additive bias for masked attention: large and finite so fully masked rows stay NaN-free. */
export const MASKED = -1e9;

export interface PaddedBatch {
  /** Row count and padded length. */
  readonly batch: number;
  readonly length: number;
  /** Token ids, left-padded, row-major [batch, length]. */
  readonly ids: number[];
  /** 1 for real tokens, 0 for padding, [batch, length]. */
  readonly mask: number[];
}

/** Left-pads sequences to a common length (the reference pads on the left; answers then line up at the end). */
export function padLeft(sequences: readonly (readonly number[])[], padId: number): PaddedBatch {
  if (sequences.length === 0) throw new Error('cannot build a batch from zero sequences');
  const length = maxOf(sequences.map((s) => s.length));
  if (length === 0) throw new Error('cannot build a batch of empty sequences');
  const ids: number[] = [];
  const mask: number[] = [];
  for (const s of sequences) {
    const pad = length - s.length;
    for (let i = 0; i < pad; i++) {
      ids.push(padId);
      mask.push(0);
    }
    for (const t of s) {
      ids.push(t);
      mask.push(1);
    }
  }
  return { batch: sequences.length, length, ids, mask };
}

/**
 * Attention bias [B, 1, T, P+T] for T new query positions after P cached keys.
 * `keyMask` [B, P+T] marks real key positions; query i sits at key index P+i and sees keys <= P+i.
 */
export function attentionBias(
  dtype: FloatDType,
  batch: number,
  queries: number,
  keyMask: readonly number[],
): HostTensor<FloatDType> {
  const keys = keyMask.length / batch;
  if (!Number.isInteger(keys) || keys < queries)
    throw new Error(`key mask of ${keyMask.length} does not fit ${batch} rows of ${queries} queries`);
  const past = keys - queries;
  const values = new Array<number>(batch * queries * keys);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < queries; i++) {
      for (let j = 0; j < keys; j++) values[o++] = j <= past + i && keyMask[b * keys + j] === 1 ? 0 : MASKED;
    }
  }
  return floatTensor(dtype, [batch, 1, queries, keys], values);
}

/** Positions counting real tokens only (padding gets 0), continuing after `offsets[b]` cached real tokens. */
export function positionIds(mask: readonly number[], batch: number, offsets?: readonly number[]): number[] {
  const length = mask.length / batch;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    let seen = offsets?.[b] ?? 0;
    for (let t = 0; t < length; t++) {
      if (mask[b * length + t] === 1) out.push(seen++);
      else out.push(0);
    }
  }
  return out;
}

/** cos/sin tables [B, T, headDim] for the given positions, frequencies duplicated (rotate_half layout). */
export function rotaryTables(
  dtype: FloatDType,
  positions: readonly number[],
  batch: number,
  invFreq: ArrayLike<number>,
): { cos: HostTensor<FloatDType>; sin: HostTensor<FloatDType> } {
  const half = invFreq.length;
  const headDim = half * 2;
  const length = positions.length / batch;
  const cos = new Array<number>(positions.length * headDim);
  const sin = new Array<number>(positions.length * headDim);
  positions.forEach((p, k) => {
    for (let i = 0; i < half; i++) {
      const angle = p * (invFreq[i] as number);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[k * headDim + i] = c;
      cos[k * headDim + half + i] = c;
      sin[k * headDim + i] = s;
      sin[k * headDim + half + i] = s;
    }
  });
  return {
    cos: floatTensor(dtype, [batch, length, headDim], cos),
    sin: floatTensor(dtype, [batch, length, headDim], sin),
  };
}

export interface Targets {
  /** Next-token ids aligned with positions [B, T] (position t predicts token t+1); 0 where masked. */
  readonly targets: HostTensor<'int64'>;
  /** 1 where the prediction at position t is scored, [B, T]. */
  readonly lossMask: HostTensor<FloatDType>;
  /** Number of scored positions. */
  readonly count: number;
}

/**
 * Next-token targets for a padded batch. `scored(b, t)` says whether token t of row b (in padded
 * coordinates, t >= 1) is a target; default: every real token after the first real one.
 */
export function nextTokenTargets(
  dtype: FloatDType,
  batch: PaddedBatch,
  scored: (row: number, position: number) => boolean = () => true,
): Targets {
  const { batch: rows, length, ids, mask } = batch;
  const targets = new Array<number>(rows * length).fill(0);
  const lossMask = new Array<number>(rows * length).fill(0);
  let count = 0;
  for (let b = 0; b < rows; b++) {
    for (let t = 0; t + 1 < length; t++) {
      const i = b * length + t;
      if (mask[i] === 1 && mask[i + 1] === 1 && scored(b, t + 1)) {
        targets[i] = ids[i + 1] as number;
        lossMask[i] = 1;
        count++;
      }
    }
  }
  return {
    targets: int64Tensor([rows, length], targets),
    lossMask: floatTensor(dtype, [rows, length], lossMask),
    count,
  };
}
