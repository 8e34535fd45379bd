// The world's word-level tokenizer as standard Hugging Face files: a WordLevel model over every word and
// punctuation mark the world uses, whitespace/punctuation pre-tokenisation, <bos> prepended like Llama, and
// a decoder that rejoins punctuation. decode(encode(text)) == text for text written with single spaces.

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
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: ids[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<bos>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<bos>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<bos>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<bos>': { id: '<bos>', ids: [ids['<bos>']], tokens: ['<bos>'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordLevel', vocab: ids, unk_token: '<unk>' },
  };
}

export function tokenizerConfigJson(
  vocab: readonly string[],
  modelMaxLength: number,
): Record<string, unknown> {
  const decoder = Object.fromEntries(
    SPECIAL_TOKENS.map((content) => [
      String(vocab.indexOf(content)),
      { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
    ]),
  );
  return {
    added_tokens_decoder: decoder,
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
