// Text tokenizers from Hugging Face model folders (tokenizer.json + tokenizer_config.json), built with the
// tokenizer classes of @huggingface/tokenizers from the local files only: no hub, no cache, no network, and no
// native code (the language server loads this; it must never load onnxruntime).
// Shared by the language server and the runtime; owns no model weights and imports neither of them.
import { readFileSync, type Stats, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface TextTokenizer {
  /** Absolute folder the tokenizer was loaded from. */
  readonly dir: string;
  /** One more than the largest token id (base vocabulary plus added tokens). */
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  /** The configured pad token; null when the folder names none (no fallback to EOS). */
  readonly padTokenId: number | null;
  /** tokenizer_config.json's model_max_length; null when unset or Hugging Face's "unlimited" sentinel. */
  readonly modelMaxLength: number | null;
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string;
}

/** A tokenizer folder that cannot be loaded: the message names the folder, the file and the fix. */
export class TokenizerLoadError extends Error {
  override name = 'TokenizerLoadError';
}

/** The files a tokenizer folder needs; special_tokens_map.json is read when present. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'] as const;
const SPECIAL_TOKENS_MAP = 'special_tokens_map.json';

/** Hugging Face writes int(1e30) for "no limit"; anything this large means unset. */
const UNLIMITED_MAX_LENGTH = 1e15;

/** The part of a tokenizers.js Tokenizer this module uses. */
interface HfTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
  decode(ids: number[], options: { skip_special_tokens: boolean }): string;
  get_vocab(): Map<string, number>;
  convert_tokens_to_ids(token: string): number | undefined;
}

type JsonObject = Record<string, unknown>;

const cache = new Map<string, { stamp: string; tokenizer: Promise<TextTokenizer> }>();

/**
 * Loads the tokenizer of a model folder, cached per absolute folder until one of its files changes.
 * Throws TokenizerLoadError naming the folder and the missing or malformed file.
 */
export async function loadTokenizer(dir: string): Promise<TextTokenizer> {
  const abs = resolve(dir);
  const stamp = folderStamp(abs);
  const hit = cache.get(abs);
  if (hit && hit.stamp === stamp) return hit.tokenizer;
  const tokenizer = build(abs);
  cache.set(abs, { stamp, tokenizer });
  tokenizer.catch(() => {
    if (cache.get(abs)?.tokenizer === tokenizer) cache.delete(abs);
  });
  return tokenizer;
}

/** Forgets every cached tokenizer (tests, or after a folder was rewritten in place). */
export function clearTokenizerCache(): void {
  cache.clear();
}

function folderStamp(abs: string): string {
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new TokenizerLoadError(
      `tokenizer folder ${abs} does not exist; pass a Hugging Face model folder containing ${TOKENIZER_FILES.join(' and ')}`,
    );
  }
  if (!isDir) {
    throw new TokenizerLoadError(
      `${abs} is a file, not a folder; pass the model folder that contains ${TOKENIZER_FILES.join(' and ')}`,
    );
  }
  return [...TOKENIZER_FILES, SPECIAL_TOKENS_MAP]
    .map((f) => {
      try {
        const s = statSync(join(abs, f));
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

/** Real tokenizer files are at most a few tens of megabytes. */
export const MAX_TOKENIZER_FILE_BYTES = 128 * 1024 * 1024;

/** Refuses a file that is not regular (stat opens nothing, so a FIFO cannot block) or too large to be real. */
function checkReadable(path: string): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return; // missing: the caller's read reports it
  }
  if (!stats.isFile()) {
    const kind = stats.isDirectory()
      ? 'a folder'
      : stats.isFIFO()
        ? 'a FIFO (named pipe)'
        : stats.isSocket()
          ? 'a socket'
          : 'a device';
    throw new TokenizerLoadError(
      `${path} is ${kind}, not a regular file; replace it with the file from the original model folder`,
    );
  }
  if (stats.size > MAX_TOKENIZER_FILE_BYTES) {
    throw new TokenizerLoadError(
      `${path} is ${stats.size} bytes, more than the ${MAX_TOKENIZER_FILE_BYTES} a tokenizer file may have; restore it from the original model folder`,
    );
  }
}

function readJsonFile(abs: string, file: string, required: boolean): JsonObject | null {
  const path = join(abs, file);
  checkReadable(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    if (!required) return null;
    throw new TokenizerLoadError(
      `tokenizer folder ${abs} has no ${file}; a tokenizer needs ${TOKENIZER_FILES.join(' and ')} (copy them from the original Hugging Face model folder)`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TokenizerLoadError(
      `${path} is not valid JSON (${(error as Error).message}); restore the file from the original model folder`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TokenizerLoadError(
      `${path} must hold a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  return value as JsonObject;
}

/** A special token entry is a string, an AddedToken object with `content`, or null. */
function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as JsonObject).content === 'string') {
    return (value as JsonObject).content as string;
  }
  return null;
}

async function build(abs: string): Promise<TextTokenizer> {
  const tokenizerJson = readJsonFile(abs, 'tokenizer.json', true) as JsonObject;
  const config = readJsonFile(abs, 'tokenizer_config.json', true) as JsonObject;
  const specialMap = readJsonFile(abs, SPECIAL_TOKENS_MAP, false) ?? {};
  if (!tokenizerJson.model || typeof tokenizerJson.model !== 'object') {
    throw new TokenizerLoadError(
      `${join(abs, 'tokenizer.json')} has no "model" object; it must be a tokenizer.json saved by Hugging Face tokenizers (tokenizer.save or save_pretrained)`,
    );
  }

  let hf: HfTokenizer;
  try {
    // The tokenizer classes alone (tokenizers.js, pure JavaScript): the same Tokenizer that transformers.js
    // wraps, without transformers.js' model code, which loads onnxruntime-node's native binding on import.
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const tokenizer = new Tokenizer(tokenizerJson, config);
    hf = {
      encode: (text, o) => tokenizer.encode(text, { add_special_tokens: o.add_special_tokens }).ids,
      decode: (ids, o) => tokenizer.decode(ids, { skip_special_tokens: o.skip_special_tokens }),
      get_vocab: () => tokenizer.get_vocab() as Map<string, number>,
      convert_tokens_to_ids: (token) => tokenizer.token_to_id(token),
    };
  } catch (error) {
    throw new TokenizerLoadError(
      `cannot build a tokenizer from ${join(abs, 'tokenizer.json')}: ${(error as Error).message}; supported tokenizer.json models are BPE, WordPiece and Unigram`,
    );
  }

  let maxId = -1;
  for (const id of hf.get_vocab().values()) if (id > maxId) maxId = id;
  const vocabSize = maxId + 1;
  if (vocabSize <= 0) {
    throw new TokenizerLoadError(`${join(abs, 'tokenizer.json')} has an empty vocabulary`);
  }

  const specialId = (key: string): number | null => {
    const content = tokenContent(config[key]) ?? (key in config ? null : tokenContent(specialMap[key]));
    if (content === null) return null;
    const id = hf.convert_tokens_to_ids(content);
    if (typeof id !== 'number') {
      throw new TokenizerLoadError(
        `${join(abs, 'tokenizer_config.json')}: ${key} "${content}" is not in the vocabulary of tokenizer.json; fix the token or remove the ${key} field`,
      );
    }
    return id;
  };

  const rawMax = config.model_max_length;
  const modelMaxLength =
    typeof rawMax === 'number' && Number.isFinite(rawMax) && rawMax > 0 && rawMax < UNLIMITED_MAX_LENGTH
      ? rawMax
      : null;

  return {
    dir: abs,
    vocabSize,
    bosTokenId: specialId('bos_token'),
    eosTokenId: specialId('eos_token'),
    padTokenId: specialId('pad_token'),
    modelMaxLength,
    encode(text, opts = {}) {
      return hf.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true });
    },
    decode(ids, opts = {}) {
      for (const id of ids) {
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
          throw new RangeError(
            `token id ${id} is outside the vocabulary of ${abs} (valid: 0..${vocabSize - 1})`,
          );
        }
      }
      // transformers.js refuses an empty list; an empty generation (EOS first) decodes to ''.
      if (ids.length === 0) return '';
      return hf.decode(ids.slice(), { skip_special_tokens: opts.skipSpecialTokens ?? false });
    },
  };
}
