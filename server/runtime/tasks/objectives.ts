// Teacher-forced objectives on a loaded decoder, each one compiled graph: per-token scoring of answers,
// the mean next-token loss with gradients for chosen parameters, and the PropMEND capture of each target
// linear's inputs u and output gradients delta. Graphs start from loss-graph.ts and are memoised by graph-memo.ts.
import { grad } from '../autodiff/grad';
import { maskedCrossEntropy } from '../ir/compose';
import { type Dim, dimMul } from '../ir/dim';
import { type FloatDType, type HostTensor, hostTensor, scalarOf } from '../ir/dtype';
import type { Tensor } from '../ir/graph';
import type { LanguageModel } from '../models/language-model';
import { nextTokenTargets, type PaddedBatch, type Targets } from './batch';
import {
  type EditGates,
  editedLinears,
  editFeeds,
  editInputs,
  type LowRankEdit,
  lowRankHook,
} from './edit-inputs';
import { modelGraph } from './graph-memo';
import { lossFeeds, lossGraph } from './loss-graph';

export interface TokenScores {
  /** log p(target) at each scored position, [B, T] row-major (0 elsewhere). */
  readonly logprob: Float64Array;
  /** 1 where the target is the argmax at that position, [B, T]. */
  readonly correct: Uint8Array;
}

/**
 * Per-position log-probabilities and argmax agreement of the targets (optionally under an edit, whose ranks
 * `gates` may switch per row).
 */
export async function scoreTokens(
  model: LanguageModel,
  batch: PaddedBatch,
  targets: Targets,
  edit?: LowRankEdit,
  gates?: EditGates,
): Promise<TokenScores> {
  const patched = editedLinears(edit);
  const gated = Boolean(patched.length && gates);
  const graph = await modelGraph(model, `score:${patched.join(',')}${gated ? ':gated' : ''}`, () => {
    const parts = lossGraph(
      model,
      'score',
      patched.length ? (g) => lowRankHook(editInputs(model, g, patched, { gated })) : undefined,
    );
    const logp = parts.logits.logSoftmax(-1);
    const target = parts.targets.unsqueeze(-1);
    const picked = logp.gatherElements(target, -1).squeeze(-1);
    const best = parts.logits.max(-1);
    const pickedLogit = parts.logits.gatherElements(target, -1).squeeze(-1);
    parts.graph.output('logprob', picked.mul(parts.mask));
    parts.graph.output('correct', pickedLogit.equal(best));
    return parts.graph;
  });
  const out = await graph.run({
    ...lossFeeds(model, batch, targets),
    ...editFeeds(edit, gated ? gates : undefined),
  });
  return {
    logprob: Float64Array.from(out.logprob?.data as ArrayLike<number>),
    correct: out.correct?.data as Uint8Array,
  };
}

export interface LossAndGradients {
  readonly loss: number;
  readonly gradients: Map<string, HostTensor<FloatDType>>;
}

/**
 * One buffer per named parameter, of its dtype and shape, for lossGradients' `into`: a training loop passes
 * the same buffers every step, and onnxruntime writes each step's gradients into them.
 */
export function gradientBuffers(
  model: LanguageModel,
  paramNames: readonly string[],
): Map<string, HostTensor<FloatDType>> {
  const out = new Map<string, HostTensor<FloatDType>>();
  for (const n of paramNames) {
    const w = model.weights.get(n);
    if (!w) throw new Error(`unknown parameter "${n}"; see the checkpoint's parameter names`);
    out.set(n, hostTensor(w.dtype, w.shape));
  }
  return out;
}

/**
 * Mean next-token cross-entropy over the scored positions, and its gradient for each named parameter. With
 * `into` (gradientBuffers), the gradients are written into those buffers and returned as them, so they hold
 * this call's values only until the next call with the same buffers.
 */
export async function lossGradients(
  model: LanguageModel,
  batch: PaddedBatch,
  targets: Targets,
  paramNames: readonly string[],
  options: { readonly into?: ReadonlyMap<string, HostTensor<FloatDType>> } = {},
): Promise<LossAndGradients> {
  if (targets.count === 0) throw new Error('no scored positions: the sequences need at least two tokens');
  const names = paramNames.slice();
  const graph = await modelGraph(model, `grad:${names.join(',')}`, () => {
    const parts = lossGraph(model, 'loss_gradients');
    const loss = maskedCrossEntropy(parts.logits, parts.targets, parts.mask);
    const wrt = names.map((n) => {
      const t = parts.params.get(n);
      if (!t) throw new Error(`unknown parameter "${n}"; see the checkpoint's parameter names`);
      return t;
    });
    parts.graph.output('loss', loss);
    grad(loss, wrt).forEach((g, i) => {
      parts.graph.output(`grad.${names[i]}`, g);
    });
    return parts.graph;
  });
  const into: Record<string, HostTensor> = {};
  for (const [n, t] of options.into ?? []) into[`grad.${n}`] = t;
  const out = await graph.run(lossFeeds(model, batch, targets), undefined, into);
  const gradients = new Map<string, HostTensor<FloatDType>>();
  for (const n of names) gradients.set(n, out[`grad.${n}`] as HostTensor<FloatDType>);
  return { loss: scalarOf(out.loss as HostTensor), gradients };
}

export interface Capture {
  readonly loss: number;
  /** Per target linear: inputs u [B*T, d_in] and output gradients delta [B*T, d_out] of the mean loss. */
  readonly layers: Map<
    string,
    { readonly u: HostTensor<FloatDType>; readonly delta: HostTensor<FloatDType> }
  >;
  /** Rows (b*T + t) where both u and delta are not all zero: the rows an edit uses. */
  readonly rows: number[];
}

/** Runs the loss and records, for each named linear, its token-wise inputs and output gradients. */
export async function capture(
  model: LanguageModel,
  batch: PaddedBatch,
  targets: Targets,
  linears: readonly string[],
): Promise<Capture> {
  if (targets.count === 0) throw new Error('no scored positions: the text needs at least two tokens');
  const names = linears.slice();
  const graph = await modelGraph(model, `capture:${names.join(',')}`, () => {
    const seen = new Map<string, { x: Tensor; y: Tensor }>();
    const parts = lossGraph(model, 'capture', () => (name, x, base) => {
      const y = base();
      if (names.includes(name)) seen.set(name, { x, y });
      return y;
    });
    const missing = names.filter((n) => !seen.has(n));
    if (missing.length) throw new Error(`no linear layer named ${missing.join(', ')} in this model`);
    const loss = maskedCrossEntropy(parts.logits, parts.targets, parts.mask);
    const ys = names.map((n) => (seen.get(n) as { y: Tensor }).y);
    const deltas = grad(loss, ys);
    parts.graph.output('loss', loss);
    names.forEach((n, i) => {
      const { x } = seen.get(n) as { x: Tensor };
      const rows = x.shape.slice(0, -1).reduce<Dim>((a, d) => dimMul(a, d), 1);
      parts.graph.output(`u.${n}`, x.reshape([rows, x.dim(-1)]));
      const delta = deltas[i] as Tensor;
      parts.graph.output(`delta.${n}`, delta.reshape([rows, delta.dim(-1)]));
    });
    return parts.graph;
  });
  const out = await graph.run(lossFeeds(model, batch, targets));
  const layers = new Map<string, { u: HostTensor<FloatDType>; delta: HostTensor<FloatDType> }>();
  for (const n of names)
    layers.set(n, {
      u: out[`u.${n}`] as HostTensor<FloatDType>,
      delta: out[`delta.${n}`] as HostTensor<FloatDType>,
    });
  return { loss: scalarOf(out.loss as HostTensor), layers, rows: nonzeroRows(layers) };
}

/** Rows where every captured u and delta has a nonzero entry (the reference's exact-zero test, per linear). */
function nonzeroRows(layers: Capture['layers']): number[] {
  let rows: number[] | undefined;
  for (const { u, delta } of layers.values()) {
    const n = u.shape[0] as number;
    const keep: number[] = [];
    const du = u.shape[1] as number;
    const dd = delta.shape[1] as number;
    for (let r = 0; r < n; r++) {
      let uAny = false;
      for (let j = 0; j < du && !uAny; j++) uAny = u.data[r * du + j] !== 0;
      let dAny = false;
      for (let j = 0; j < dd && !dAny; j++) dAny = delta.data[r * dd + j] !== 0;
      if (uAny && dAny) keep.push(r);
    }
    rows = rows ? rows.filter((r) => keep.includes(r)) : keep;
  }
  return rows ?? [];
}

/** All-position next-token targets for one or more unpadded sequences. */
export function clmTargets(model: LanguageModel, batch: PaddedBatch): Targets {
  return nextTokenTargets(model.dtype, batch);
}
