// `propmend/evaluate` on the loaded model: each instance (of a spec, one dataset line, or a whole dataset
// file) is edited alone from the original weights by each hypernetwork method, through the same job as an
// applied edit, and scored by exact match: efficacy on verbatim and non-verbatim questions, specificity on
// locality (for `base`, the unedited answers). The session's patch stack is neither used nor changed.
// `propmend eval` remains the full evaluation (all baselines, result files); this is its interactive subset.

import { pushAll } from '../common/arrays';
import { readInstanceFile } from '../dataset';
import { type JobContext, JobInputError, phase, throwIfCancelled } from '../jobs/context';
import { type EditPlan, editLoaded, planFromInstance } from '../jobs/edit';
import type { EvalMethodName, EvalRecord, EvaluateParams, EvaluateResult, QuestionRecord } from '../protocol';
import { EVAL_METHODS, RuntimeErrorCode } from '../protocol';
import { SidecarError } from './errors';
import type { SidecarSession } from './session';

function plans(session: SidecarSession, params: EvaluateParams): EditPlan[] {
  const { source } = params;
  if (source.kind !== 'dataset') return [session.plan(source)];
  const read = readInstanceFile(source.file);
  if (!read.ok) throw new JobInputError(read.message);
  const lines = read.instances.map((r) => r.line + 1).slice(0, params.limit ?? Number.POSITIVE_INFINITY);
  if (lines.length === 0)
    throw new JobInputError(`${source.file} holds no instances; run \`propmend check ${source.file}\``);
  return lines.map((line) => planFromInstance(source.file, { line }));
}

function summary(
  method: string,
  n: number,
  questions: readonly QuestionRecord[],
  after: boolean,
): EvalRecord {
  const rate = (kind: QuestionRecord['kind']) => {
    const qs = questions.filter((q) => q.kind === kind && q.gold !== null);
    const right = qs.filter((q) => (after ? q.correct_after : q.correct_before)).length;
    return { rate: qs.length ? right / qs.length : 0, n: qs.length };
  };
  const v = rate('verbatim');
  const nv = rate('nonverbatim');
  const loc = rate('locality');
  return {
    method,
    n_instances: n,
    efficacy_verbatim: v.rate,
    efficacy_nonverbatim: nv.rate,
    specificity: loc.rate,
    n_questions: { verbatim: v.n, nonverbatim: nv.n, locality: loc.n },
  };
}

export async function evaluate(
  session: SidecarSession,
  params: EvaluateParams,
  ctx: JobContext,
): Promise<EvaluateResult> {
  const started = performance.now();
  const loaded = session.loaded;
  if (!loaded)
    throw new SidecarError(RuntimeErrorCode.NoModel, 'no model is loaded; select a model before evaluating');
  const list = plans(session, params);
  const methods: readonly EvalMethodName[] = params.methods ?? EVAL_METHODS;
  const edits = methods.filter((m): m is 'mend' | 'propmend' => m !== 'base');
  const runs = Math.max(1, edits.length) * list.length;
  const answered = new Map<string, QuestionRecord[]>(methods.map((m) => [m, []]));
  let done = 0;
  for (const plan of list) {
    // The unedited answers come with every edit's report; with only `base` asked, one edit still provides them.
    for (const method of edits.length ? edits : (['propmend'] as const)) {
      throwIfCancelled(ctx, 'the evaluation');
      const { report } = await editLoaded(
        { ...plan, hypernet: undefined },
        loaded,
        phase(ctx, done / runs, (done + 1) / runs, `${method} ${done + 1}/${runs}`),
        { method, loadHypernet: session.hypernetFor },
      );
      if (methods.includes(method)) pushAll(answered.get(method) ?? [], report.questions);
      if (method === (edits[0] ?? 'propmend')) pushAll(answered.get('base') ?? [], report.questions);
      done++;
    }
  }
  return {
    file: list[0]?.file ?? params.source.file,
    results: methods.map((m) => summary(m, list.length, answered.get(m) ?? [], m !== 'base')),
    elapsed_ms: Math.round(performance.now() - started),
  };
}
