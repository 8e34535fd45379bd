// The world's word-level tokenizer as standard Hugging Face files: a WordLevel model over every word and
// punctuation mark the world uses, whitespace/punctuation pre-tokenisation, <bos> prepended like Llama, and
// a decoder that rejoins punctuation. decode(encode(text)) == text for text written with single spaces.
import { addedTokensDecoder, prependBosProcessor, specialAddedTokens } from '../common/tokenizer-files';

export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;

/** The pre-tokeniser's split (the tokenizers library's `Whitespace`): runs of word characters or of punctuation. */
export const WORD_SPLIT = /\w+|[^\w\s]+/g;

export function words(text: string): string[] {
  return text.match(WORD_SPLIT) ?? [];
}

/** Special tokens first, then every distinct word in code-point order (deterministic ids). */
export function buildVocabulary(texts: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const t of texts) for (const w of words(t)) seen.add(w);
  for (const s of SPECIAL_TOKENS) seen.delete(s);
  return [...SPECIAL_TOKENS, ...[...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))];
}

export function tokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialAddedTokens(SPECIAL_TOKENS, ids),
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: prependBosProcessor('<bos>', ids['<bos>'] as number),
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordLevel', vocab: ids, unk_token: '<unk>' },
  };
}

export function tokenizerConfigJson(
  vocab: readonly string[],
  modelMaxLength: number,
): Record<string, unknown> {
  return {
    added_tokens_decoder: addedTokensDecoder(SPECIAL_TOKENS, vocab),
    add_bos_token: true,
    add_eos_token: false,
    bos_token: '<bos>',
    eos_token: '<eos>',
    pad_token: '<pad>',
    unk_token: '<unk>',
    clean_up_tokenization_spaces: true,
    model_max_length: modelMaxLength,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
}

export function specialTokensMapJson(): Record<string, string> {
  return { bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>', unk_token: '<unk>' };
}
