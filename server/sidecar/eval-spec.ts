// `propmend/evaluate` of an edit spec on the loaded model: the spec's edit (its own layers, modules and
// hypernetwork) is computed from the original weights by each hypernetwork method, through the same job as an
// applied edit, and scored by exact match: efficacy on verbatim and non-verbatim questions, specificity on
// locality (for `base`, the unedited answers). Dataset sources go through `propmend eval`'s runner instead
// (eval-run.ts); a spec is not a dataset instance. The session's patch stack is neither used nor changed.

import { pushAll } from '../common/arrays';
import { type JobContext, phase, throwIfCancelled } from '../jobs/context';
import { editLoaded } from '../jobs/edit';
import type { EvalRecord, EvaluateResult, QuestionRecord } from '../protocol';
import { EVAL_METHODS, RuntimeErrorCode } from '../protocol';
import { SidecarError } from './errors';
import type { LoadedModel, SidecarSession } from './session';

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

type SpecMethod = (typeof EVAL_METHODS)[number];

export async function evaluateSpec(
  session: SidecarSession,
  loaded: LoadedModel,
  specFile: string,
  asked: readonly string[] | undefined,
  ctx: JobContext,
): Promise<EvaluateResult> {
  const started = performance.now();
  const list = [session.plan({ kind: 'spec', file: specFile })];
  const other = asked?.find((m) => !(EVAL_METHODS as readonly string[]).includes(m));
  if (other !== undefined)
    throw new SidecarError(
      RuntimeErrorCode.InputError,
      `an edit spec is evaluated with ${EVAL_METHODS.join(', ')} only, not "${other}"; evaluate a dataset file for the baselines`,
      { field: 'methods' },
    );
  const methods = (asked ?? EVAL_METHODS) as readonly SpecMethod[];
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
    file: list[0]?.file ?? specFile,
    results: methods.map((m) => summary(m, list.length, answered.get(m) ?? [], m !== 'base')),
    elapsed_ms: Math.round(performance.now() - started),
  };
}
