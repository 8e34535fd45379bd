// The baseline editing methods of the evaluation (issue 11): base, prepend, cpt-full, cpt-midupper and memit,
// behind one call that edits one instance from the original weights and returns what answering needs (a
// low-rank edit, a prompt rewrite) and a restore() that leaves the weights exactly as they were (checked by
// checksum in the debug mode PROPMEND_DEBUG_RESTORE=1 and in the tests). Made for `propmend eval` to call.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TextTokenizer } from '../../common/tokenizer';
import type { Instance } from '../../dataset/index';
import { withFactInContext } from '../eval/world-eval';
import type { LanguageModel } from '../models/language-model';
import type { LowRankEdit } from '../tasks/edit-inputs';
import { CPT_DEFAULTS, type CptConfig, continuedPretraining } from './cpt';
import { MEMIT_DEFAULTS, type MemitConfig, memitEdit, memitLayers } from './memit';
import { memitRequests, type RelationPrompts, relationPromptsFromKb } from './memit-requests';
import { type KeyStatistics, keyStatistics, type StatsContext } from './memit-stats';
import { RestoreMismatch, restoreDebugMode, weightsChecksum } from './weights';

export const BASELINE_METHODS = ['base', 'prepend', 'cpt-full', 'cpt-midupper', 'memit'] as const;
export type BaselineMethod = (typeof BASELINE_METHODS)[number];

/** The Prepend context format, as the world gate's Prepend baseline builds it (withFactInContext). */
export const PREPEND_FORMAT = '{fact} {question}';

/** The question as the Prepend baseline asks it: the fact, a space, the question. */
export function prependPrompt(fact: string, question: string): string {
  return withFactInContext({ prompt: question, answer: '', aliases: [], group: '', fact }).prompt;
}

export interface BaselineOptions {
  readonly cpt?: Partial<Omit<CptConfig, 'scope'>>;
  readonly memit?: Partial<MemitConfig>;
  /** MEMIT's statistics corpus: the world's corpus.jsonl for the shipped model, a user's text file otherwise. */
  readonly memitCorpus?: string;
  /** Where MEMIT's key statistics are cached (e.g. <package>/.cache/memit). */
  readonly memitCacheDir?: string;
  /**
   * A world KB (world.kb.json) whose relations' question templates become MEMIT's request prompts (default: the
   * world.kb.json beside memitCorpus, if there is one; without one the fact's sentences are the prompts).
   */
  readonly memitKb?: string;
  /** Verify every restore by a whole-model checksum (default: PROPMEND_DEBUG_RESTORE=1). */
  readonly verifyRestore?: boolean;
}

export interface BaselineEdit {
  readonly method: BaselineMethod;
  /** A low-rank edit to answer under (memit); absent when the weights are used as they are. */
  readonly edit?: LowRankEdit;
  /** The prompt to ask a question with (prepend puts the fact first; identity otherwise). */
  prompt(question: string): string;
  /** Leaves the model's weights exactly as before the edit; call it once answering is done. */
  restore(): void;
  /** What the method did, for the per-question records (losses, layers, shares written). */
  readonly info: Readonly<Record<string, unknown>>;
}

/** A baseline MEMIT cannot run without: the message names what is missing and the fix. */
export class BaselineInputError extends Error {
  override name = 'BaselineInputError';
}

export function parseBaselineMethod(name: string): BaselineMethod {
  if ((BASELINE_METHODS as readonly string[]).includes(name)) return name as BaselineMethod;
  throw new BaselineInputError(`unknown method "${name}"; valid baselines: ${BASELINE_METHODS.join(', ')}`);
}

/** Baselines bound to one model: MEMIT's statistics are loaded (or computed and cached) once, on first use. */
export class Baselines {
  private stats: Promise<KeyStatistics> | undefined;
  private prompts: RelationPrompts | null | undefined;
  private readonly verify: boolean;

  constructor(
    readonly model: LanguageModel,
    readonly tokenizer: TextTokenizer,
    readonly options: BaselineOptions = {},
  ) {
    this.verify = options.verifyRestore ?? restoreDebugMode();
  }

  /** MEMIT's key statistics for its layers, from the cache or the corpus. */
  /** The KB file MEMIT's relation prompts come from, if any (see BaselineOptions.memitKb). */
  memitKbPath(): string | undefined {
    const { memitKb, memitCorpus } = this.options;
    if (memitKb) return memitKb;
    if (!memitCorpus) return undefined;
    const beside = join(dirname(memitCorpus), 'world.kb.json');
    return existsSync(beside) ? beside : undefined;
  }

  private relationPrompts(): RelationPrompts | undefined {
    if (this.prompts === undefined) {
      const path = this.memitKbPath();
      this.prompts = path ? relationPromptsFromKb(path) : null;
    }
    return this.prompts ?? undefined;
  }

  memitStatistics(ctx: StatsContext): Promise<KeyStatistics> {
    if (!this.stats) {
      const { memitCorpus, memitCacheDir } = this.options;
      if (!memitCorpus)
        throw new BaselineInputError(
          'MEMIT needs a text corpus for its key statistics; pass --memit-corpus FILE (the shipped model uses assets/world/corpus.jsonl)',
        );
      if (!memitCacheDir) throw new BaselineInputError('MEMIT needs a cache folder for its key statistics');
      const layers = this.options.memit?.layers ?? memitLayers(this.model.config.numLayers);
      this.stats = keyStatistics(this.model, this.tokenizer, memitCorpus, layers, memitCacheDir, ctx);
      this.stats.catch(() => {
        this.stats = undefined;
      });
    }
    return this.stats;
  }

  /** Edits `instance` alone from the current (original) weights with `method`. */
  async editWith(method: BaselineMethod, instance: Instance, ctx: StatsContext): Promise<BaselineEdit> {
    const untouched = (extra: Partial<BaselineEdit> = {}): BaselineEdit => {
      const before = this.verify ? weightsChecksum(this.model) : undefined;
      return {
        method,
        prompt: (q) => q,
        restore: () => {
          if (before !== undefined && weightsChecksum(this.model) !== before)
            throw new RestoreMismatch(`the weights changed during a ${method} evaluation`);
        },
        info: {},
        ...extra,
      };
    };
    if (method === 'base') return untouched();
    const fact = instance.fact;
    if (fact === undefined)
      throw new BaselineInputError(`${instance.id ?? 'an instance'} has no "fact"; ${method} needs one`);
    if (method === 'prepend')
      return untouched({ prompt: (q) => prependPrompt(fact, q), info: { format: PREPEND_FORMAT } });
    if (method === 'cpt-full' || method === 'cpt-midupper') {
      const scope = method === 'cpt-full' ? 'full' : 'mid-upper';
      const config: CptConfig = { ...CPT_DEFAULTS[scope], ...this.options.cpt, scope };
      const result = await continuedPretraining(this.model, this.tokenizer, fact, config, {
        verify: this.verify,
        signal: ctx.signal,
      });
      return {
        method,
        prompt: (q) => q,
        restore: () => result.snapshot.restore(),
        info: { ...config, losses: result.losses },
      };
    }
    const stats = await this.memitStatistics(ctx);
    const config: MemitConfig = { ...MEMIT_DEFAULTS, ...this.options.memit };
    const { edit, diagnostics } = await memitEdit(
      this.model,
      this.tokenizer,
      memitRequests(instance, config.requestForm === 'relation-prompt' ? this.relationPrompts() : undefined),
      stats,
      config,
      ctx.signal,
    );
    const kb = config.requestForm === 'relation-prompt' ? (this.memitKbPath() ?? null) : null;
    return untouched({
      edit,
      info: { ...diagnostics, statistics_tokens: stats.tokens, relation_prompts: kb },
    });
  }
}
