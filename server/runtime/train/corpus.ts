// Reads a pretraining corpus (JSONL, one {"text": ...} object per line, other keys ignored) and tokenises it
// into training sequences: BOS (when the tokenizer has one) + text + EOS. Lines are read by the dataset model's
// JSONL reader; errors name the file and line.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TextTokenizer } from '../../common/tokenizer';
import { parseJsonl } from '../../dataset/index';

export interface TokenisedCorpus {
  readonly sequences: number[][];
  readonly tokens: number;
  /** SHA-256 of the corpus file's bytes. */
  readonly sha256: string;
  /** Lines per `kind` value (lines without one count as "text"). */
  readonly kinds: Record<string, number>;
}

export class CorpusError extends Error {
  override name = 'CorpusError';
}

export function readCorpus(file: string, tokenizer: TextTokenizer): TokenisedCorpus {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CorpusError(
      `cannot read corpus ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const eos = tokenizer.eosTokenId;
  if (eos === null)
    throw new CorpusError(
      `the tokenizer in ${tokenizer.dir} has no EOS token; training needs one to end sequences`,
    );
  const sequences: number[][] = [];
  const kinds: Record<string, number> = {};
  let tokens = 0;
  for (const { line, doc } of parseJsonl(bytes.toString('utf8'))) {
    if (!doc.ok) {
      const error = doc.syntaxErrors()[0]?.message ?? 'invalid JSON';
      throw new CorpusError(
        `${file}:${line + 1}: not valid JSON (${error}); each line must be an object with a "text" string`,
      );
    }
    const value = doc.value;
    const text = (value as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new CorpusError(`${file}:${line + 1}: needs a non-empty "text" string`);
    }
    const kind = (value as { kind?: unknown }).kind;
    const key = typeof kind === 'string' ? kind : 'text';
    kinds[key] = (kinds[key] ?? 0) + 1;
    const ids = [...tokenizer.encode(text, { addSpecialTokens: true }), eos];
    tokens += ids.length;
    sequences.push(ids);
  }
  if (sequences.length === 0) throw new CorpusError(`${file} has no training lines`);
  return { sequences, tokens, sha256: createHash('sha256').update(bytes).digest('hex'), kinds };
}
