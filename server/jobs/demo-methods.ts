// The demo's method runner: each instance edited alone from the original weights by base, prepend, cpt-*,
// memit (server/runtime/baselines), mend or propmend (a hypernetwork edit), every question answered greedily,
// and one QuestionRecord per question and method (answers before and after, exact match, F1, mean gold
// log-probabilities), the records `propmend report` reads. Weights are restored after every baseline edit.
// Interim: engineer "eval" owns the shared runner of `propmend eval`; the demo switches to it when it lands.
import type { TextTokenizer } from '../common/tokenizer';
import type { Instance } from '../dataset/index';
import type { BaselineMethod, Baselines } from '../runtime/baselines/index';
import { type Answered, answerQuestions, goldLogprobs } from '../runtime/edit/answering';
import { computeEdit } from '../runtime/edit/edit';
import { innerExample } from '../runtime/edit/episode';
import type { Hypernetwork } from '../runtime/edit/hypernetwork';
import { type EditQuestion, editInstanceOf } from '../runtime/edit/instances';
import { exactMatchAny, tokenF1 } from '../runtime/eval/metrics';
import type { QuestionRecord, RecordKind } from '../runtime/eval/result';
import type { LanguageModel } from '../runtime/models/language-model';
import type { LowRankEdit } from '../runtime/tasks/edit-inputs';
import { JobCancelled, type JobContext } from './context';

export const DEMO_METHODS = ['base', 'prepend', 'cpt-midupper', 'memit', 'mend', 'propmend'] as const;
export type DemoMethod = (typeof DEMO_METHODS)[number];

/** One instance of a dataset file, where it came from. */
export interface LocatedInstance {
  readonly dataset: string;
  /** 0-based line of the instance in its file. */
  readonly line: number;
  /** Position among the file's instances (the unit shards split on). */
  readonly index: number;
  readonly split: string;
  readonly instance: Instance;
}

interface Asked extends EditQuestion {
  readonly recordKind: RecordKind;
  readonly path: string;
}

function questionsOf(item: LocatedInstance): Asked[] {
  const view = editInstanceOf(item.instance, `${item.dataset}:${item.line + 1}`);
  const sources = [...item.instance.propagation, ...item.instance.locality];
  return view.questions.map((q, i) => {
    const source = sources[i];
    return {
      ...q,
      recordKind: source?.kind ?? 'locality',
      path: (source?.path ?? (source?.category ? [source.category] : [])).join('/'),
    };
  });
}

/** Mean log-probability per gold token (answer + EOS), from goldLogprobs' sums. */
async function meanGoldLogprobs(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: readonly EditQuestion[],
  edit?: LowRankEdit,
): Promise<number[]> {
  const sums = await goldLogprobs(model, tokenizer, questions, edit);
  return questions.map(
    (q, i) =>
      (sums[i] as number) /
      (tokenizer.encode(q.answer.startsWith(' ') ? q.answer : ` ${q.answer}`, { addSpecialTokens: false })
        .length +
        1),
  );
}

export interface RunMethodsOptions {
  readonly baselines: Baselines;
  readonly hypernets: Partial<Record<'mend' | 'propmend', Hypernetwork>>;
}

export interface MethodRuns {
  readonly records: QuestionRecord[];
  /** Wall time per method (its edits and answers; the shared answers before any edit count for base). */
  readonly seconds: Record<string, number>;
}

/** Records of every method on every instance, instance-major; progress counts (instance, method) pairs. */
export async function runMethods(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  items: readonly LocatedInstance[],
  methods: readonly DemoMethod[],
  options: RunMethodsOptions,
  ctx: JobContext,
): Promise<MethodRuns> {
  const records: QuestionRecord[] = [];
  const seconds: Record<string, number> = Object.fromEntries(methods.map((m) => [m, 0]));
  const total = items.length * methods.length;
  let done = 0;
  try {
    for (const item of items) {
      const asked = questionsOf(item);
      let t = performance.now();
      const before = await answerQuestions(model, tokenizer, asked);
      const lpBefore = await meanGoldLogprobs(model, tokenizer, asked);
      for (const method of methods) {
        ctx.signal.throwIfAborted();
        ctx.progress({
          fraction: done / total,
          message: `${method} on ${item.split} (${done}/${total} edits)`,
        });
        const { after, lpAfter } = await underMethod(
          method,
          item,
          asked,
          before,
          lpBefore,
          model,
          tokenizer,
          options,
          ctx,
        );
        asked.forEach((q, i) => {
          const a = (after[i] as Answered).prediction;
          records.push({
            method,
            dataset: item.dataset,
            line: item.line + 1,
            split: item.split,
            instance_id: item.instance.id ?? `${item.split}:${item.line + 1}`,
            instance_index: item.index,
            question_index: i,
            kind: q.recordKind,
            path: q.path,
            question: q.question,
            answer: q.answer,
            aliases: q.aliases,
            before: (before[i] as Answered).prediction,
            after: a,
            exact_match: exactMatchAny(a, q.answer, q.aliases),
            f1: tokenF1(a, q.answer, q.aliases),
            logprob_before: lpBefore[i] as number,
            logprob_after: lpAfter[i] as number,
          });
        });
        const now = performance.now();
        seconds[method] = (seconds[method] ?? 0) + (now - t) / 1000;
        t = now;
        done++;
      }
    }
  } catch (error) {
    if (ctx.signal.aborted) throw new JobCancelled('the demo was cancelled');
    throw error;
  }
  ctx.progress({ fraction: 1, message: `${total} edits` });
  return { records, seconds };
}

async function underMethod(
  method: DemoMethod,
  item: LocatedInstance,
  asked: readonly Asked[],
  before: readonly Answered[],
  lpBefore: readonly number[],
  model: LanguageModel,
  tokenizer: TextTokenizer,
  options: RunMethodsOptions,
  ctx: JobContext,
): Promise<{ after: readonly Answered[]; lpAfter: readonly number[] }> {
  if (method === 'base') return { after: before, lpAfter: lpBefore };
  if (method === 'mend' || method === 'propmend') {
    const net = options.hypernets[method];
    if (!net) throw new Error(`no ${method} hypernetwork was loaded`);
    const view = editInstanceOf(item.instance, `${item.dataset}:${item.line + 1}`);
    const { edit } = await computeEdit(model, net, innerExample(model, tokenizer, view, net.innerLoss));
    return {
      after: await answerQuestions(model, tokenizer, asked, edit),
      lpAfter: await meanGoldLogprobs(model, tokenizer, asked, edit),
    };
  }
  const edited = await options.baselines.editWith(method as BaselineMethod, item.instance, ctx);
  try {
    const prompted = asked.map((q) => ({ ...q, question: edited.prompt(q.question) }));
    return {
      after: await answerQuestions(model, tokenizer, prompted, edited.edit),
      lpAfter: await meanGoldLogprobs(model, tokenizer, prompted, edited.edit),
    };
  } finally {
    edited.restore();
  }
}
