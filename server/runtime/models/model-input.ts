// The last check before token ids reach a model's graphs: every id inside the vocabulary, and every sequence
// (plus the tokens still to be generated) inside the context (max_position_embeddings). Commands check and
// explain this earlier (server/cli/model-args.ts, with --truncate); this is the safety net for every other
// caller (jobs, the world gate, PropMEND). Pure checks over a config; owns no IO and no graphs.
import type { TextTokenizer } from '../../common/tokenizer';
import type { ModelConfig } from './config';

/** Token ids a model cannot take; the message names the sequence, both lengths or the id and the vocabulary. */
export class ModelInputError extends Error {
  override name = 'ModelInputError';
}

/**
 * Throws ModelInputError when a sequence holds an id outside the vocabulary or is longer than the context
 * minus `reserve` positions; `label(i)` names sequence i in the message (e.g. "prompt 3").
 */
export function checkModelInput(
  config: ModelConfig,
  sequences: readonly (readonly number[])[],
  options: { reserve?: number; label?: (index: number) => string } = {},
): void {
  const reserve = options.reserve ?? 0;
  const label = options.label ?? ((i: number) => `sequence ${i + 1}`);
  const context = config.maxPositionEmbeddings;
  sequences.forEach((ids, i) => {
    if (ids.length + reserve > context) {
      throw new ModelInputError(
        `${label(i)} has ${ids.length} tokens${reserve ? ` and ${reserve} more are to be generated` : ''}, more than the model's context of ${context} tokens (max_position_embeddings in config.json); shorten it`,
      );
    }
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new ModelInputError(
          `${label(i)} holds token id ${id}, outside the model's vocabulary (vocab_size ${config.vocabSize}); the tokenizer and config.json do not belong to the same model`,
        );
      }
    }
  });
}

/**
 * The tokenizer, refusing with a ModelInputError any id it encodes outside the model's vocabulary, so a
 * tokenizer larger than config.json's vocab_size is the input's fault (exit 1), on every path that encodes.
 */
export function withinVocabulary(tokenizer: TextTokenizer, vocabSize: number): TextTokenizer {
  return {
    ...tokenizer,
    encode(text, opts) {
      const ids = tokenizer.encode(text, opts);
      const bad = ids.find((id) => id >= vocabSize);
      if (bad !== undefined) {
        throw new ModelInputError(
          `the tokenizer of ${tokenizer.dir} produced token id ${bad}, outside the model's vocabulary (vocab_size ${vocabSize} in config.json, tokenizer size ${tokenizer.vocabSize}); the tokenizer files and config.json do not belong to the same model`,
        );
      }
      return ids;
    },
    decode: (ids, opts) => tokenizer.decode(ids, opts),
  };
}
