// Token budgets for the length rules: a loaded tokenizer (server/common/tokenizer.ts), the generation
// budget and the context length (settings, else the model's config.json, else the tokenizer's limit).
// Token counts are memoised per text: datasets repeat questions and answers a lot.
import { join } from 'node:path';
import { loadTokenizer, type TextTokenizer } from '../../common/tokenizer';
import type { TokenBudget } from '../diagnostics/rule';
import type { FileSource } from './source';

export interface LoadedTokenizer {
  readonly tokenizer: TextTokenizer;
  /** max_position_embeddings of a config.json next to the tokenizer, when there is one. */
  readonly configContext: number | null;
}

const loaded = new Map<string, Promise<LoadedTokenizer>>();

/** Loads (once per folder) a tokenizer; rejects with an Error naming the folder and the bad file. */
export function loadTokenizerFolder(dir: string, source: FileSource): Promise<LoadedTokenizer> {
  let p = loaded.get(dir);
  if (!p) {
    p = loadTokenizer(dir).then((tokenizer) => {
      let configContext: number | null = null;
      const config = source.readText(join(dir, 'config.json'));
      if (config !== undefined) {
        try {
          const n = (JSON.parse(config) as Record<string, unknown>).max_position_embeddings;
          if (typeof n === 'number' && n > 0) configContext = n;
        } catch {
          // A broken config.json is the model's problem, reported elsewhere; fall back to the tokenizer.
        }
      }
      return { tokenizer, configContext };
    });
    p.catch(() => loaded.delete(dir));
    loaded.set(dir, p);
  }
  return p;
}

export function makeBudget(
  t: LoadedTokenizer,
  opts: { maxNewTokens: number; context?: number; promptTemplate?: string },
): TokenBudget {
  const promptCache = new Map<string, number>();
  const answerCache = new Map<string, number>();
  const textCache = new Map<string, number>();
  const template = opts.promptTemplate ?? '{question}';
  return {
    source: t.tokenizer.dir,
    maxNewTokens: opts.maxNewTokens,
    context: opts.context ?? t.configContext ?? t.tokenizer.modelMaxLength,
    promptTokens(question) {
      let n = promptCache.get(question);
      if (n === undefined) {
        n = t.tokenizer.encode(template.replaceAll('{question}', question), {
          addSpecialTokens: true,
        }).length;
        promptCache.set(question, n);
      }
      return n;
    },
    textTokens(text) {
      let n = textCache.get(text);
      if (n === undefined) {
        n = t.tokenizer.encode(text, { addSpecialTokens: true }).length;
        textCache.set(text, n);
      }
      return n;
    },
    answerTokens(answer) {
      let n = answerCache.get(answer);
      if (n === undefined) {
        n = t.tokenizer.encode(answer.trim(), { addSpecialTokens: false }).length;
        answerCache.set(answer, n);
      }
      return n;
    },
  };
}
