// Test helper: a small word-level tokenizer of our own (a WordPiece model whose vocabulary is whole words plus
// single characters and "##" continuations, so any ASCII text encodes without <unk>). Loadable by
// @huggingface/transformers and by Python tokenizers. Writes tokenizer files only; knows nothing about weights.

import { join } from 'node:path';
import { writeJsonAtomic } from '../../server/common/atomic';
import {
  addedTokensDecoder,
  prependBosProcessor,
  specialAddedTokens,
} from '../../server/common/tokenizer-files';

export const FIXTURE_SPECIAL_TOKENS = ['<pad>', '<s>', '</s>', '<unk>'] as const;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');
const DIGITS = '0123456789'.split('');
const PUNCTUATION = ['.', ',', '?', '!', "'", '-', ':', ';', '(', ')', '"'];

// Words of the knowledge-editing domain (facts, relations, multi-hop questions), all lower case.
const WORDS = `the a an of in on at to is was are were be by for with from as and or not who what which where
when how many much does did do has have had his her its their he she it they this that there here new old
first last born died lives lived works worked capital city country state river mountain language currency
continent president prime minister king queen leader founder company university team sport football
author book film song album band singer actor director player coach member citizen spouse wife husband
child son daughter father mother brother sister name called known official largest located head office
france paris germany berlin italy rome spain madrid japan tokyo china beijing india delhi canada ottawa
brazil egypt cairo kenya nairobi peru lima chile mexico russia moscow poland warsaw greece athens london
england europe asia africa america english french german italian spanish japanese chinese arabic euro
dollar yen pound rupee alice bob carol dave eve frank grace heidi ivan judy mallory oscar peggy trent
victor walter year years century age one two three four five six seven eight nine ten hundred thousand
million people population area north south east west river sea ocean lake island`
  .split(/\s+/)
  .filter((w) => w.length > 1);

/** The vocabulary in id order: special tokens, punctuation, digits, letters, continuations, then words. */
export function fixtureVocabulary(): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const token of [
    ...FIXTURE_SPECIAL_TOKENS,
    ...PUNCTUATION,
    ...DIGITS,
    ...LETTERS,
    ...DIGITS.map((d) => `##${d}`),
    ...LETTERS.map((l) => `##${l}`),
    ...WORDS,
  ]) {
    if (seen.has(token)) continue;
    seen.add(token);
    out.push(token);
  }
  return out;
}

export interface FixtureTokenizerOptions {
  /** Prepend <s> when special tokens are added (Llama style); Qwen2 style adds nothing. */
  readonly addBos: boolean;
  /** Name <pad> as the pad token in tokenizer_config.json (Llama 3 names none). */
  readonly withPad: boolean;
}

/** tokenizer.json content for the fixture vocabulary. */
export function fixtureTokenizerJson(options: FixtureTokenizerOptions): Record<string, unknown> {
  const vocab = fixtureVocabulary();
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const bosId = ids['<s>'] as number;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialAddedTokens(FIXTURE_SPECIAL_TOKENS, ids),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: options.addBos ? prependBosProcessor('<s>', bosId) : null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '<unk>',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

/** tokenizer_config.json content: special tokens, no length limit beyond `modelMaxLength`. */
export function fixtureTokenizerConfig(
  options: FixtureTokenizerOptions & { modelMaxLength?: number },
): Record<string, unknown> {
  const vocab = fixtureVocabulary();
  return {
    added_tokens_decoder: addedTokensDecoder(FIXTURE_SPECIAL_TOKENS, vocab),
    bos_token: options.addBos ? '<s>' : null,
    eos_token: '</s>',
    ...(options.withPad ? { pad_token: '<pad>' } : {}),
    unk_token: '<unk>',
    clean_up_tokenization_spaces: true,
    model_max_length: options.modelMaxLength ?? 2048,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
}

/** Writes tokenizer.json and tokenizer_config.json into `dir`; returns the vocabulary size. */
export function writeFixtureTokenizer(dir: string, options: FixtureTokenizerOptions): number {
  writeJsonAtomic(join(dir, 'tokenizer.json'), fixtureTokenizerJson(options));
  writeJsonAtomic(join(dir, 'tokenizer_config.json'), fixtureTokenizerConfig(options));
  return fixtureVocabulary().length;
}
