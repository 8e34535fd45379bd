// One edit with a before/after report (`propmend edit`): the edit from the original weights (a hypernetwork's,
// or a raw gradient step when there is none), then every question answered greedily before and after, with
// the gold answer's log-probability under both. Returns plain data for the CLI and the sidecar. With a `base`
// edit (the sidecar's patch stack) "before" is the model under the base and "after" under base + the new edit;
// the new edit is still computed from the original weights. A signal stops it between graph runs.
import type { TextTokenizer } from '../../common/tokenizer';
import type { FloatDType, HostTensor } from '../ir/dtype';
import type { LanguageModel } from '../models/language-model';
import { beforeAfterGates } from '../tasks/edit-inputs';
import type { LowRankEdit } from '../tasks/forward';
import { answerQuestions, goldLogprobs } from './answering';
import { computeEdit } from './edit';
import { stackEdits } from './edit-stack';
import { innerExample } from './episode';
import { captureFactors } from './factors';
import { type Hypernetwork, newHypernetwork } from './hypernetwork';
import type { EditQuestion } from './instances';

export interface QuestionReport {
  readonly kind: EditQuestion['kind'];
  readonly question: string;
  readonly gold: string | null;
  readonly before: string;
  readonly after: string;
  readonly correct_before: boolean | null;
  readonly correct_after: boolean | null;
  readonly logprob_before: number | null;
  readonly logprob_after: number | null;
}

export interface EditReport {
  readonly fact: string;
  readonly method: string;
  readonly questions: QuestionReport[];
  readonly timings_ms: { readonly capture: number; readonly transform: number; readonly answering: number };
  readonly edit_size: { readonly targets: number; readonly rank: number; readonly parameters: number };
}

/** A question as asked; gold null when the spec gives no answer (then only the answers are compared). */
export interface AskedQuestion {
  readonly kind: EditQuestion['kind'];
  readonly question: string;
  readonly answer: string | null;
  readonly aliases: readonly string[];
}

/** W' = W - step * sum_t delta_t u_t^T at the given linears: the raw fine-tuning gradient as factors. */
async function rawGradientEdit(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  fact: string,
  targets: readonly string[],
  step: number,
): Promise<LowRankEdit> {
  const probe: Hypernetwork = newHypernetwork(
    model,
    { targets, rank: 1, shared: false, editLrInit: 0 },
    { seed: 0, innerLoss: 'clm' },
  );
  const factors = await captureFactors(
    model,
    probe,
    innerExample(model, tokenizer, { fact, questions: [] }, 'clm'),
  );
  const edit = new Map<string, { u: HostTensor<FloatDType>; d: HostTensor<FloatDType> }>();
  for (const [name, { u, delta }] of factors.layers) {
    const dIn = u.length / factors.rows;
    const dOut = delta.length / factors.rows;
    edit.set(name, {
      u: { dtype: model.dtype, shape: [factors.rows, dIn], data: u },
      d: { dtype: model.dtype, shape: [factors.rows, dOut], data: delta.map((v) => -step * v) },
    } as { u: HostTensor<FloatDType>; d: HostTensor<FloatDType> });
  }
  return edit;
}

function scaled(edit: LowRankEdit, factor: number): LowRankEdit {
  if (factor === 1) return edit;
  return new Map(
    [...edit].map(([n, { u, d }]) => [
      n,
      { u, d: { ...d, data: d.data.map((v) => v * factor) } as HostTensor<FloatDType> },
    ]),
  );
}

export async function editWithReport(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  request: {
    fact: string;
    questions: readonly AskedQuestion[];
    /** A hypernetwork and its method, or a raw gradient step at `targets`. */
    hypernet?: { net: Hypernetwork; method: string };
    targets: readonly string[];
    editLrScale: number;
    /** Edits already applied (answers "before" run under them, "after" under them plus the new edit). */
    base?: LowRankEdit;
    signal?: AbortSignal;
    /** Where the work is: 0..1 and a stage name. */
    onStage?: (fraction: number, stage: string) => void;
  },
): Promise<{ report: EditReport; edit: LowRankEdit }> {
  const { signal } = request;
  const stage = (fraction: number, name: string) => {
    signal?.throwIfAborted();
    request.onStage?.(fraction, name);
  };
  stage(0, 'computing the edit');
  const t0 = performance.now();
  let edit: LowRankEdit;
  let timings = { capture: 0, transform: 0 };
  if (request.hypernet) {
    const r = await computeEdit(
      model,
      request.hypernet.net,
      innerExample(model, tokenizer, { fact: request.fact, questions: [] }, request.hypernet.net.innerLoss),
    );
    edit = scaled(r.edit, request.editLrScale);
    timings = r.timingsMs;
  } else {
    edit = await rawGradientEdit(model, tokenizer, request.fact, request.targets, request.editLrScale);
    timings = { capture: performance.now() - t0, transform: 0 };
  }
  const t1 = performance.now();
  const base = request.base && request.base.size > 0 ? request.base : undefined;
  const edited = (base ? stackEdits([base, edit]) : edit) as LowRankEdit;
  const qs: EditQuestion[] = request.questions.map((q) => ({ ...q, answer: q.answer ?? '' }));
  const withGold = request.questions.map((q, i) => ({ q: qs[i] as EditQuestion, has: q.answer !== null }));
  const scored = withGold.filter((x) => x.has).map((x) => x.q);
  // Before and after in one batch per pass: the stacked edit with per-row rank gates (before rows keep the
  // base's ranks only), each row computed exactly as if run alone, half the decoding passes.
  const n = qs.length;
  stage(0.3, 'answering before and after the edit');
  const both = await answerQuestions(
    model,
    tokenizer,
    [...qs, ...qs],
    edited,
    signal,
    beforeAfterGates(edited, base, n, n),
  );
  const before = both.slice(0, n);
  const after = both.slice(n);
  stage(0.8, 'scoring the gold answers');
  const m = scored.length;
  const lp = await goldLogprobs(
    model,
    tokenizer,
    [...scored, ...scored],
    edited,
    beforeAfterGates(edited, base, m, m),
  );
  const lpBefore = lp.slice(0, m);
  const lpAfter = lp.slice(m);
  signal?.throwIfAborted();
  const answering = performance.now() - t1;
  let k = 0;
  const questions = request.questions.map((q, i): QuestionReport => {
    const has = q.answer !== null;
    const j = has ? k++ : -1;
    return {
      kind: q.kind,
      question: q.question,
      gold: q.answer,
      before: before[i]?.prediction ?? '',
      after: after[i]?.prediction ?? '',
      correct_before: has ? Boolean(before[i]?.correct) : null,
      correct_after: has ? Boolean(after[i]?.correct) : null,
      logprob_before: has ? (lpBefore[j] as number) : null,
      logprob_after: has ? (lpAfter[j] as number) : null,
    };
  });
  let rank = 0;
  let parameters = 0;
  for (const { u, d } of edit.values()) {
    rank = Math.max(rank, u.shape[0] as number);
    parameters += u.data.length + d.data.length;
  }
  const report: EditReport = {
    fact: request.fact,
    method: request.hypernet?.method ?? 'raw-gradient',
    questions,
    timings_ms: { ...timings, answering },
    edit_size: { targets: edit.size, rank, parameters },
  };
  return { report, edit };
}
