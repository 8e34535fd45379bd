// The evaluation questions of a world folder (built by `propmend world build`): the 1-hop and 2-hop questions
// of corpus.jsonl (kinds qa1 and qa2) and the propagation questions of the four test splits. Reads through
// the one JSONL and instance model; a missing file or field is a WorldFileError naming the file and line.
import { join } from 'node:path';
import { readTextFile } from './file';
import { type Instance, readInstance } from './instance';
import { type JsonlRecord, parseJsonl } from './jsonl';
import { TEST_SPLITS, type TestSplit } from './splits';

/** A question as an evaluation asks it: a prompt, the gold answer and its aliases. */
export interface EvalQuestion {
  readonly prompt: string;
  readonly answer: string;
  readonly aliases: readonly string[];
  /** Chance-baseline group (the relation path for propagation questions, the corpus kind otherwise). */
  readonly group: string;
  /** The edit's fact, for propagation questions: prepended to the prompt by the Prepend baseline. */
  readonly fact?: string;
}

export interface WorldQuestions {
  readonly oneHop: EvalQuestion[];
  readonly twoHopKnown: EvalQuestion[];
  readonly propagation: Record<TestSplit, EvalQuestion[]>;
}

export class WorldFileError extends Error {
  override name = 'WorldFileError';
}

/** Parsed lines of a world file; a line that is not JSON or a file that cannot be read throws WorldFileError. */
function worldLines(file: string): JsonlRecord[] {
  const read = readTextFile(file);
  if (!read.ok)
    throw new WorldFileError(
      `cannot read ${file} (${read.message}); is this a world folder built by \`propmend world build\`?`,
    );
  const records = parseJsonl(read.text);
  for (const r of records) {
    if (!r.doc.ok) {
      const error = r.doc.syntaxErrors()[0]?.message ?? 'invalid JSON';
      throw new WorldFileError(
        `${file}:${r.line + 1}: not valid JSON (${error}); run \`propmend check ${file}\``,
      );
    }
  }
  return records;
}

function need(file: string, line: number, value: string | undefined, field: string): string {
  if (value === undefined)
    throw new WorldFileError(
      `${file}:${line + 1}: "${field}" must be a string; run \`propmend check ${file}\``,
    );
  return value;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The propagation questions of one split file, in file order. */
function propagationQuestions(file: string): EvalQuestion[] {
  const out: EvalQuestion[] = [];
  for (const { line, doc } of worldLines(file)) {
    const inst: Instance | undefined = readInstance(doc.value);
    if (!inst || !Array.isArray(field(doc.value, 'propagation')))
      throw new WorldFileError(`${file}:${line + 1}: "propagation" must be a list`);
    const fact = need(file, line, inst.fact, 'fact');
    for (const q of inst.propagation) {
      out.push({
        fact,
        prompt: need(file, line, q.question, 'question'),
        answer: need(file, line, q.answer, 'answer'),
        aliases: q.aliases.map((a) => a.text),
        group: q.path ? q.path.join('/') : 'unknown',
      });
    }
  }
  return out;
}

/** Reads the evaluation questions from a world folder (corpus.jsonl and splits/*.ripple.jsonl). */
export function readWorldQuestions(world: string): WorldQuestions {
  const corpus = join(world, 'corpus.jsonl');
  const oneHop: EvalQuestion[] = [];
  const twoHopKnown: EvalQuestion[] = [];
  for (const { line, doc } of worldLines(corpus)) {
    const kind = field(doc.value, 'kind');
    if (kind !== 'qa1' && kind !== 'qa2') continue;
    const q: EvalQuestion = {
      prompt: need(corpus, line, text(field(doc.value, 'prompt')), 'prompt'),
      answer: need(corpus, line, text(field(doc.value, 'answer')), 'answer'),
      aliases: [],
      group: kind,
    };
    (kind === 'qa1' ? oneHop : twoHopKnown).push(q);
  }
  const propagation = {} as WorldQuestions['propagation'];
  for (const split of TEST_SPLITS)
    propagation[split] = propagationQuestions(join(world, 'splits', `${split}.ripple.jsonl`));
  if (oneHop.length === 0 || twoHopKnown.length === 0) {
    throw new WorldFileError(
      `${corpus} has no qa1 or qa2 lines; the gate needs both (rebuild the world with \`propmend world build\`)`,
    );
  }
  return { oneHop, twoHopKnown, propagation };
}
