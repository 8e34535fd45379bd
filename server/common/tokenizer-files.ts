// The pieces of Hugging Face tokenizer files that every word-level tokenizer we generate shares: the
// special-token entries of tokenizer.json, the post-processor that prepends BOS (Llama style), and the
// `added_tokens_decoder` of tokenizer_config.json. Plain JSON values; no IO, no vocabulary policy.

/** tokenizer.json `added_tokens`: one special, non-normalised entry per token, with its id. */
export function specialAddedTokens(
  tokens: readonly string[],
  ids: Readonly<Record<string, number>>,
): Array<Record<string, unknown>> {
  return tokens.map((content) => ({
    id: ids[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
}

/** tokenizer.json `post_processor` that prepends `bos` to every sequence (and to each of a pair). */
export function prependBosProcessor(bos: string, bosId: number): Record<string, unknown> {
  return {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [
      { SpecialToken: { id: bos, type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: bos, type_id: 1 } },
      { Sequence: { id: 'B', type_id: 1 } },
    ],
    special_tokens: { [bos]: { id: bos, ids: [bosId], tokens: [bos] } },
  };
}

/** tokenizer_config.json `added_tokens_decoder`: the special tokens keyed by their id in `vocab`. */
export function addedTokensDecoder(
  tokens: readonly string[],
  vocab: readonly string[],
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    tokens.map((content) => [
      String(vocab.indexOf(content)),
      { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
    ]),
  );
}
