// Where each question of an edit spec or a dataset instance sits in its file, read with the dataset model's
// positions (server/dataset), so results can be drawn on the question's line and rows can jump to it.
// Plain data from text; must not import `vscode` (test/extension/views.test.ts checks the folder).
import { JsonDoc, parseJsonl, readInstance } from '../../server/dataset';
import type { DiffGroup } from '../../webviews/diff/messages';

export interface LocatedQuestion {
  readonly group: DiffGroup;
  readonly list: 'propagation' | 'locality';
  /** Index in its list. */
  readonly index: number;
  readonly question: string;
  /** 0-based position of the question text's string literal, and of the end of the question object. */
  readonly line: number;
  readonly character: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

export interface LocatedInstance {
  /** 0-based line of the instance (its first line for an edit spec). */
  readonly line: number;
  readonly id: string | undefined;
  readonly fact: string | undefined;
  readonly questions: readonly LocatedQuestion[];
}

function locate(doc: JsonDoc, lineOffset: number): LocatedInstance | undefined {
  if (!doc.ok) return undefined;
  const instance = readInstance(doc.value);
  if (!instance) return undefined;
  const all = [...instance.propagation, ...instance.locality];
  const ranges = doc.resolve(
    all.flatMap((q) => [
      { path: [q.list, q.index, 'question'], part: 'value' as const },
      { path: [q.list, q.index], part: 'value' as const },
    ]),
  );
  const questions = all.map((q, i): LocatedQuestion => {
    const text = ranges[2 * i];
    const whole = ranges[2 * i + 1];
    return {
      group: q.kind,
      list: q.list,
      index: q.index,
      question: q.question ?? '',
      line: (text?.start.line ?? 0) + lineOffset,
      character: text?.start.character ?? 0,
      endLine: (whole?.end.line ?? 0) + lineOffset,
      endCharacter: whole?.end.character ?? 0,
    };
  });
  return { line: lineOffset, id: instance.id, fact: instance.fact, questions };
}

/** The questions of an edit spec (a whole JSON document). */
export function locateSpec(text: string): LocatedInstance | undefined {
  return locate(new JsonDoc(text), 0);
}

/** Every instance of a dataset file that parses, with its line. */
export function locateDataset(text: string): LocatedInstance[] {
  const out: LocatedInstance[] = [];
  for (const r of parseJsonl(text)) {
    const found = locate(r.doc, r.line);
    if (found) out.push(found);
  }
  return out;
}
