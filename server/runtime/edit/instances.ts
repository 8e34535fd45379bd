// TEMPORARY minimal reader of `*.ripple.jsonl` edit instances and locality text for the edit area, until the
// dataset model (server/dataset) lands; then this file is replaced by its reader. Reads only the fields
// PropMEND needs and reports a bad line by file and line number.
import { readFileSync } from 'node:fs';

export interface EditQuestion {
  readonly question: string;
  readonly answer: string;
  readonly aliases: readonly string[];
  /** verbatim: answered by a fact object; nonverbatim: needs propagation; locality: unrelated. */
  readonly kind: 'verbatim' | 'nonverbatim' | 'locality';
}

export interface EditInstance {
  readonly id: string;
  readonly fact: string;
  /** Subject and triple objects: the entities the fact links (locality text must avoid them). */
  readonly entities: readonly string[];
  readonly questions: readonly EditQuestion[];
}

export class InstanceFileError extends Error {
  override name = 'InstanceFileError';
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch (error) {
    throw new InstanceFileError(
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Parses one instance object; `where` prefixes error messages. */
export function parseInstance(value: Record<string, unknown>, where: string): EditInstance {
  const bad = (field: string) =>
    new InstanceFileError(
      `${where}: "${field}" is missing or has the wrong type; run \`propmend check\` on the file`,
    );
  if (typeof value.fact !== 'string') throw bad('fact');
  if (!Array.isArray(value.propagation)) throw bad('propagation');
  const questions: EditQuestion[] = [];
  for (const q of value.propagation as Array<Record<string, unknown>>) {
    if (typeof q?.question !== 'string' || (typeof q.answer !== 'string' && typeof q.answer !== 'number'))
      throw bad('propagation[].question/answer');
    questions.push({
      question: q.question,
      answer: String(q.answer),
      aliases: strings(q.aliases),
      kind: q.verbatim === true ? 'verbatim' : 'nonverbatim',
    });
  }
  for (const q of (Array.isArray(value.locality) ? value.locality : []) as Array<Record<string, unknown>>) {
    if (typeof q?.question !== 'string' || (typeof q.answer !== 'string' && typeof q.answer !== 'number'))
      throw bad('locality[].question/answer');
    questions.push({
      question: q.question,
      answer: String(q.answer),
      aliases: strings(q.aliases),
      kind: 'locality',
    });
  }
  const triples = (Array.isArray(value.triples) ? value.triples : []) as Array<Record<string, unknown>>;
  const entities = [
    ...(typeof value.subject === 'string' ? [value.subject] : []),
    ...triples.flatMap((t) => (typeof t?.object === 'string' ? [t.object] : [])),
  ];
  return { id: typeof value.id === 'string' ? value.id : where, fact: value.fact, entities, questions };
}

export function readInstances(file: string): EditInstance[] {
  const out: EditInstance[] = [];
  readLines(file).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      throw new InstanceFileError(`${file}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    out.push(parseInstance(value, `${file}:${i + 1}`));
  });
  if (out.length === 0) throw new InstanceFileError(`${file} holds no instances`);
  return out;
}

/** Locality texts: the `text` field of each JSONL line that has one (the world corpus's fact sentences). */
export function readLocalityTexts(file: string): string[] {
  const out: string[] = [];
  readLines(file).forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const v = JSON.parse(raw) as Record<string, unknown>;
      if (typeof v.text === 'string' && v.text.trim() !== '') out.push(v.text);
    } catch (error) {
      throw new InstanceFileError(`${file}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
  });
  if (out.length === 0)
    throw new InstanceFileError(`${file} has no line with a "text" field to use as locality text`);
  return out;
}
