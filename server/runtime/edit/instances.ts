// The edit area's view of an edit instance, read through the dataset model (server/dataset): the fact, the
// entities it links (which locality text must avoid), and its questions with kind and aliases, as plain
// strings. Also reads locality text (the `text` field of JSONL lines). Errors name the file and line.
import { type Instance, parseJsonl, readInstanceFile, readTextFile } from '../../dataset';

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
  /** Subject and triple objects: the entities the fact links. */
  readonly entities: readonly string[];
  readonly questions: readonly EditQuestion[];
}

export class InstanceFileError extends Error {
  override name = 'InstanceFileError';
}

/** The view of one dataset instance; `where` (file:line) prefixes errors about missing fields. */
export function editInstanceOf(instance: Instance, where: string): EditInstance {
  if (typeof instance.fact !== 'string' || instance.fact.trim() === '')
    throw new InstanceFileError(`${where}: the instance has no "fact"; run \`propmend check\` on the file`);
  const questions: EditQuestion[] = [];
  for (const q of [...instance.propagation, ...instance.locality]) {
    if (q.question === undefined || q.answer === undefined)
      throw new InstanceFileError(
        `${where}: ${q.list}[${q.index}] lacks a question or an answer; run \`propmend check\` on the file`,
      );
    questions.push({
      question: q.question,
      answer: q.answer,
      aliases: q.aliases.map((a) => a.text),
      kind: q.kind === 'non-verbatim' ? 'nonverbatim' : q.kind,
    });
  }
  const entities = [
    ...(instance.subject ? [instance.subject] : []),
    ...instance.triples.flatMap((t) => (t.object ? [t.object] : [])),
  ];
  return { id: instance.id ?? where, fact: instance.fact, entities, questions };
}

/** Every instance of a `*.ripple.jsonl` file; a line that is not an instance is an error naming it. */
export function readInstances(file: string): EditInstance[] {
  const read = readInstanceFile(file);
  if (!read.ok) throw new InstanceFileError(read.message);
  const problem = read.problems[0];
  if (problem)
    throw new InstanceFileError(
      `${file}:${problem.line + 1}: ${problem.message}; run \`propmend check ${file}\``,
    );
  if (read.instances.length === 0) throw new InstanceFileError(`${file} holds no instances`);
  return read.instances.map(({ line, instance }) => editInstanceOf(instance, `${file}:${line + 1}`));
}

/** Locality texts: the `text` field of each JSONL line that has one (the world corpus's fact sentences). */
export function readLocalityTexts(file: string): string[] {
  const read = readTextFile(file);
  if (!read.ok) throw new InstanceFileError(read.message);
  const out: string[] = [];
  for (const { line, doc } of parseJsonl(read.text)) {
    if (!doc.ok)
      throw new InstanceFileError(
        `${file}:${line + 1}: ${doc.syntaxErrors()[0]?.message ?? 'not valid JSON'}`,
      );
    const v = doc.value as Record<string, unknown> | null;
    if (v && typeof v.text === 'string' && v.text.trim() !== '') out.push(v.text);
  }
  if (out.length === 0)
    throw new InstanceFileError(`${file} has no line with a "text" field to use as locality text`);
  return out;
}
