// The evaluation loop on an already-loaded model: for each method, each instance is edited alone from the
// original weights (baselines through server/runtime/baselines, MEND/PropMEND through a hypernetwork),
// every question answered and scored, and the weights restored; the unedited model's answers ("before") are
// computed once per instance and shared by every method. Returns one QuestionRecord per question and method.
// Loading files, checking datasets and writing results are the job's (server/jobs/eval-run.ts), not this.
import type { TextTokenizer } from '../../common/tokenizer';
import type { Instance } from '../../dataset/index';
import {
  BASELINE_METHODS,
  BaselineInputError,
  type BaselineMethod,
  type BaselineOptions,
  Baselines,
  PREPEND_FORMAT,
  prependPrompt,
} from '../baselines/index';
import { MEMIT_DEFAULTS, memitLayers } from '../baselines/memit';
import { RestoreMismatch, restoreDebugMode, weightsChecksum } from '../baselines/weights';
import { computeEdit } from '../edit/edit';
import { innerExample } from '../edit/episode';
import { type Hypernetwork, type StatsMode, withOwnStatistics } from '../edit/hypernetwork';
import { editInstanceOf } from '../edit/instances';
import type { LanguageModel } from '../models/language-model';
import type { LowRankEdit } from '../tasks/edit-inputs';
import { answerPrompts, type PromptAnswer } from './answer-prompts';
import { exactMatchAny, tokenF1 } from './metrics';
import type { QuestionRecord, RecordKind } from './result';

export const EVAL_METHODS = [...BASELINE_METHODS, 'mend', 'propmend'] as const;
export type EvalMethod = (typeof EVAL_METHODS)[number];
export const HYPERNET_METHODS = ['mend', 'propmend'] as const;
export type HypernetMethod = (typeof HYPERNET_METHODS)[number];

export function isEvalMethod(name: string): name is EvalMethod {
  return (EVAL_METHODS as readonly string[]).includes(name);
}

/** One instance of a dataset file, where it came from, and its split. */
export interface EvalItem {
  /** Absolute path of the dataset file. */
  readonly dataset: string;
  /** 1-based line of the instance in the file. */
  readonly line: number;
  /** 0-based position of the instance in its file (the unit shards split on). */
  readonly index: number;
  readonly split: string;
  readonly instance: Instance;
}

/** A hypernetwork as a method runs it. */
export interface HypernetForEval {
  readonly net: Hypernetwork;
  readonly file: string;
  readonly method: HypernetMethod;
  /** frozen: statistics as trained; reference_online: re-estimated from the first edit on. */
  readonly statsMode: StatsMode;
  /** Multiplies the edit (as an edit spec's edit_lr_scale). */
  readonly editLrScale: number;
}

export interface RunMethodsOptions {
  readonly baselines?: BaselineOptions;
  readonly hypernets?: Partial<Record<HypernetMethod, HypernetForEval>>;
  /** Verify every restore by a whole-model checksum (default: PROPMEND_DEBUG_RESTORE=1). */
  readonly verifyRestore?: boolean;
  readonly signal?: AbortSignal;
  /** Called after each (method, instance) with the units done of `total`. */
  readonly onProgress?: (done: number, total: number, message: string) => void;
  readonly log?: (line: string) => void;
}

export interface MethodsRun {
  /** Records in item order, then method order, then question order. */
  readonly records: QuestionRecord[];
  /** Wall seconds per method (the shared "before" answers are counted under "before"). */
  readonly seconds: Record<string, number>;
  /** Method settings as run, for the result's config. */
  readonly settings: Record<string, unknown>;
}

/** A question of an item, with what a record needs besides the answers. */
export interface ItemQuestion {
  readonly question_index: number;
  readonly kind: RecordKind;
  readonly path: string;
  readonly relation_path: string;
  readonly category: string | null;
  readonly question: string;
  readonly answer: string;
  readonly aliases: readonly string[];
}

/** Propagation questions, then locality questions; RippleEdits categories become the record's path. */
export function itemQuestions(item: EvalItem): ItemQuestion[] {
  const where = `${item.dataset}:${item.line}`;
  return [...item.instance.propagation, ...item.instance.locality].map((q, i) => {
    if (q.question === undefined || q.answer === undefined)
      throw new Error(`${where}: ${q.list}[${q.index}] lacks a question or an answer`);
    const relationPath = (q.path ?? []).join('/');
    return {
      question_index: i,
      kind: q.kind,
      path: q.category ?? relationPath,
      relation_path: relationPath,
      category: q.category ?? null,
      question: q.question,
      answer: q.answer,
      aliases: q.aliases.map((a) => a.text),
    };
  });
}

function scaled(edit: LowRankEdit, scale: number): LowRankEdit {
  if (scale === 1) return edit;
  return new Map(
    [...edit].map(([n, f]) => [n, { u: f.u, d: { ...f.d, data: f.d.data.map((v) => v * scale) } }]),
  );
}

/**
 * Answers each item's questions with its prompt rewrite (no weight change), one batch per item: an
 * instance's numbers then depend on that instance alone, not on which others share its batch (padding
 * changes float sums in the last bits), so shards reproduce the unsharded run exactly.
 */
async function answerAll(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  perItem: readonly ItemQuestion[][],
  prompt: (itemIndex: number, question: string) => string,
  signal?: AbortSignal,
): Promise<PromptAnswer[][]> {
  const out: PromptAnswer[][] = [];
  for (const [i, qs] of perItem.entries()) {
    signal?.throwIfAborted();
    const asked = qs.map((q) => ({ prompt: prompt(i, q.question), answer: q.answer }));
    out.push(await answerPrompts(model, tokenizer, asked, undefined, signal));
  }
  return out;
}

/**
 * Runs `methods` on `items`: each instance edited alone from the original weights, answered, restored.
 * The model's weights are the same when this returns (checked by checksum with verifyRestore).
 */
export async function runMethods(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  items: readonly EvalItem[],
  methods: readonly EvalMethod[],
  options: RunMethodsOptions = {},
): Promise<MethodsRun> {
  const verify = options.verifyRestore ?? restoreDebugMode();
  const baselines = new Baselines(model, tokenizer, { ...options.baselines, verifyRestore: verify });
  const perItem = items.map(itemQuestions);
  const total = items.length * methods.length;
  let done = 0;
  const seconds: Record<string, number> = {};
  const settings: Record<string, unknown> = {};
  const t0 = performance.now();
  const before = await answerAll(model, tokenizer, perItem, (_i, q) => q, options.signal);
  seconds.before = (performance.now() - t0) / 1000;
  const after = new Map<EvalMethod, PromptAnswer[][]>();
  const statsCtx = {
    signal: options.signal ?? new AbortController().signal,
    progress: () => {},
    log: options.log ?? (() => {}),
  };
  for (const method of methods) {
    const start = performance.now();
    const answers: PromptAnswer[][] = [];
    const tick = () => {
      done++;
      options.onProgress?.(done, total, `${method} ${answers.length}/${items.length}`);
    };
    if (method === 'base') {
      for (const a of before) {
        answers.push(a);
        tick();
      }
    } else if (method === 'prepend') {
      settings.prepend = { format: PREPEND_FORMAT };
      const got = await answerAll(
        model,
        tokenizer,
        perItem,
        (i, q) => {
          const fact = items[i]?.instance.fact;
          if (fact === undefined)
            throw new BaselineInputError(
              `${items[i]?.instance.id ?? 'an instance'} has no "fact"; prepend needs one`,
            );
          return prependPrompt(fact, q);
        },
        options.signal,
      );
      for (const a of got) {
        answers.push(a);
        tick();
      }
    } else if (method === 'mend' || method === 'propmend') {
      const hn = options.hypernets?.[method];
      if (!hn) throw new Error(`no hypernetwork given for ${method}`);
      const online = hn.statsMode === 'reference_online';
      const net = online ? withOwnStatistics(hn.net, true) : hn.net;
      settings[method] = { hypernet: hn.file, stats_mode: hn.statsMode, edit_lr_scale: hn.editLrScale };
      for (const [i, item] of items.entries()) {
        options.signal?.throwIfAborted();
        const sum = verify ? weightsChecksum(model) : undefined;
        const view = editInstanceOf(item.instance, `${item.dataset}:${item.line}`);
        const { edit } = await computeEdit(model, net, innerExample(model, tokenizer, view, net.innerLoss), {
          updateStats: online,
        });
        const qs = perItem[i] as ItemQuestion[];
        answers.push(
          await answerPrompts(
            model,
            tokenizer,
            qs.map((q) => ({ prompt: q.question, answer: q.answer })),
            scaled(edit, hn.editLrScale),
          ),
        );
        if (sum !== undefined && weightsChecksum(model) !== sum)
          throw new RestoreMismatch(`the weights changed during a ${method} evaluation`);
        tick();
      }
    } else {
      for (const [i, item] of items.entries()) {
        options.signal?.throwIfAborted();
        const edited = await baselines.editWith(method as BaselineMethod, item.instance, statsCtx);
        const qs = perItem[i] as ItemQuestion[];
        try {
          answers.push(
            await answerPrompts(
              model,
              tokenizer,
              qs.map((q) => ({ prompt: edited.prompt(q.question), answer: q.answer })),
              edited.edit,
            ),
          );
        } finally {
          edited.restore();
        }
        if (settings[method] === undefined)
          settings[method] =
            method === 'memit'
              ? {
                  ...MEMIT_DEFAULTS,
                  layers: memitLayers(model.config.numLayers),
                  ...options.baselines?.memit,
                  corpus: options.baselines?.memitCorpus ?? null,
                  statistics_tokens: edited.info.statistics_tokens,
                  relation_prompts: edited.info.relation_prompts ?? null,
                }
              : methodSettings(edited.info);
        tick();
      }
    }
    after.set(method, answers);
    seconds[method] = (performance.now() - start) / 1000;
  }
  const records: QuestionRecord[] = [];
  items.forEach((item, i) => {
    const qs = perItem[i] as ItemQuestion[];
    for (const method of methods) {
      const got = after.get(method)?.[i] as PromptAnswer[];
      qs.forEach((q, k) => {
        const b = before[i]?.[k] as PromptAnswer;
        const a = got[k] as PromptAnswer;
        records.push({
          method,
          dataset: item.dataset,
          line: item.line,
          split: item.split,
          instance_id: item.instance.id ?? `${item.dataset}:${item.line}`,
          instance_index: item.index,
          question_index: q.question_index,
          kind: q.kind,
          path: q.path,
          relation_path: q.relation_path,
          category: q.category,
          question: q.question,
          answer: q.answer,
          aliases: q.aliases,
          before: b.prediction,
          after: a.prediction,
          exact_match: exactMatchAny(a.prediction, q.answer, q.aliases),
          f1: tokenF1(a.prediction, q.answer, q.aliases),
          logprob_before: b.logprob,
          logprob_after: a.logprob,
        });
      });
    }
  });
  return { records, seconds, settings };
}

/** The settings part of a baseline's info (per-edit diagnostics such as losses are left out). */
function methodSettings(info: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info))
    if (!['losses', 'zLosses', 'residualNorms', 'written', 'groups'].includes(k)) out[k] = v;
  return out;
}
