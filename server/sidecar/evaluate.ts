// `propmend/evaluate` on the sidecar's loaded model. Dataset sources (one file, several, or one instance of a
// file) run `propmend eval`'s job (server/jobs/eval-run.ts: checker, runMethods, result contract) on the
// loaded model and tokenizer without loading anything, with progress per (method, instance) and
// cancellation through the request's signal; with `out_dir` the result file is written atomically there.
// An edit spec goes through eval-spec.ts. The session's patch stack is neither used nor changed.
import { dirname } from 'node:path';
import type { JobContext } from '../jobs/context';
import { evalRunJob } from '../jobs/eval-run';
import type { EvalRecord, EvalSplitRecord, EvaluateParams, EvaluateResult } from '../protocol';
import { EVAL_METHODS, RuntimeErrorCode } from '../protocol';
import type { QuestionRecord } from '../runtime/eval/result';
import { SidecarError } from './errors';
import { evaluateSpec } from './eval-spec';
import type { SidecarSession } from './session';

/** The protocol's per-method rates over `records` (exact match of the answer after the method's edit). */
export function rates(method: string, records: readonly QuestionRecord[]): EvalRecord {
  const mine = records.filter((r) => r.method === method);
  const rate = (kind: QuestionRecord['kind']) => {
    const qs = mine.filter((r) => r.kind === kind);
    return { rate: qs.length ? qs.filter((r) => r.exact_match).length / qs.length : 0, n: qs.length };
  };
  const v = rate('verbatim');
  const nv = rate('non-verbatim');
  const loc = rate('locality');
  return {
    method,
    n_instances: new Set(mine.map((r) => `${r.dataset}\n${r.instance_index}`)).size,
    efficacy_verbatim: v.rate,
    efficacy_nonverbatim: nv.rate,
    specificity: loc.rate,
    n_questions: { verbatim: v.n, nonverbatim: nv.n, locality: loc.n },
  };
}

/** Per method (in run order), then per method and split (splits sorted). */
export function evalRecords(
  methods: readonly string[],
  records: readonly QuestionRecord[],
): { results: EvalRecord[]; by_split: EvalSplitRecord[] } {
  const splits = [...new Set(records.map((r) => r.split))].sort();
  return {
    results: methods.map((m) => rates(m, records)),
    by_split: methods.flatMap((m) =>
      splits.map((split) => ({
        ...rates(
          m,
          records.filter((r) => r.split === split),
        ),
        split,
      })),
    ),
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
  const { source } = params;
  if (source.kind === 'spec') return evaluateSpec(session, loaded, source.file, params.methods, ctx);
  const files = source.kind === 'datasets' ? source.files : [source.file];
  const methods = params.methods ?? EVAL_METHODS;
  const instance =
    source.kind === 'instance'
      ? {
          ...(source.line !== undefined ? { line: source.line } : {}),
          ...(source.id !== undefined ? { id: source.id } : {}),
        }
      : undefined;
  const out = await evalRunJob(
    {
      datasets: files,
      modelDir: loaded.modelDir,
      methods,
      ...(params.limit !== undefined ? { limit: params.limit } : {}),
      ...(params.out_dir !== undefined ? { outDir: params.out_dir } : {}),
      ...(params.force !== undefined ? { force: params.force } : {}),
      ...(instance ? { instance } : {}),
      // The checker may read what the datasets' own folders hold (their KB and spec paths), nothing else.
      checkRoots: [...new Set(files.map((f) => dirname(f)))],
      threads: loaded.info.threads,
    },
    { model: loaded.model, tokenizer: loaded.tokenizer },
    ctx,
  );
  return {
    file: out.result.config.datasets[0] ?? files[0] ?? '',
    ...evalRecords(methods, out.result.records),
    ...(out.file ? { result_file: out.file } : {}),
    elapsed_ms: Math.round(performance.now() - started),
  };
}
