// Converting RippleEdits benchmark records into *.ripple.jsonl instances: propagation from
// Logical_Generalization, Compositionality_I/II and Subject_Aliasing; locality from Relation_Specificity and
// Forgetfulness; Wikidata ids kept in `meta`. Pure: value in, instances and notes out; the CLI does the IO.
import { containsPhrase, normalize } from './match';
import type { Split } from './splits';
import { guessSubject } from './subject-name';

type Obj = Record<string, unknown>;

const PROPAGATION = [
  'Logical_Generalization',
  'Compositionality_I',
  'Compositionality_II',
  'Subject_Aliasing',
] as const;
const LOCALITY = ['Relation_Specificity', 'Forgetfulness'] as const;

export interface ConvertOptions {
  /** Prefix of instance ids; default: the record's example_type, else "rippleedits". */
  readonly idPrefix?: string;
  readonly split?: Split;
}

export interface ConvertResult {
  readonly instances: Obj[];
  /** One line per record or query that was dropped or guessed, for stderr. */
  readonly notes: string[];
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A Wikidata id that the real data sometimes wraps in a one-element list. */
function id(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

function queries(record: Obj, category: string): Obj[] {
  const tests = record[category];
  if (!Array.isArray(tests)) return [];
  return tests.flatMap((t) =>
    isObj(t) && Array.isArray(t.test_queries) ? t.test_queries.filter(isObj) : [],
  );
}

/** The answer and every other accepted surface form (other answers count too: tests pass on any). */
function answerForms(q: Obj): { answer: string; aliases: string[] } | undefined {
  const answers = Array.isArray(q.answers) ? q.answers.filter(isObj) : [];
  const values = answers.filter((a) => str(a.value)?.trim());
  const first = values[0];
  if (!first) return undefined;
  const answer = (str(first.value) as string).trim();
  const seen = new Set([normalize(answer)]);
  const aliases: string[] = [];
  for (const a of values) {
    const forms = [
      str(a.value) ?? '',
      ...(Array.isArray(a.aliases) ? a.aliases.filter((x): x is string => typeof x === 'string') : []),
    ];
    for (const f of forms) {
      const n = normalize(f);
      if (n === '' || seen.has(n)) continue;
      seen.add(n);
      aliases.push(f.trim());
    }
  }
  return { answer, aliases };
}

/** The target's name: an answer of a query whose targets include the edit's target, else the prompt's tail. */
function targetName(
  record: Obj,
  targetId: string | undefined,
  prompt: string,
  subject: string,
): string | undefined {
  for (const cat of [...PROPAGATION, ...LOCALITY]) {
    for (const q of queries(record, cat)) {
      const ids = Array.isArray(q.target_ids) ? q.target_ids : [];
      if (targetId === undefined || !ids.includes(targetId)) continue;
      const forms = answerForms(q);
      if (forms && containsPhrase(prompt, forms.answer)) return forms.answer;
    }
  }
  const at = prompt.indexOf(subject);
  if (at === -1) return undefined;
  const tail = prompt
    .slice(at + subject.length)
    .replace(/\.\s*$/, '')
    .trim()
    .split(/\s+/);
  while (tail.length > 0 && /^\p{Ll}/u.test(tail[0] as string)) tail.shift();
  return tail.length > 0 ? tail.join(' ') : undefined;
}

/** Converts one record; returns undefined (with a note) when it has no usable edit. */
function convertRecord(record: Obj, index: number, opts: ConvertOptions, notes: string[]): Obj | undefined {
  const edit = isObj(record.edit) ? record.edit : undefined;
  const prompt = str(edit?.prompt)?.trim();
  const relation = str(edit?.relation);
  if (!edit || !prompt || !relation) {
    notes.push(`record ${index}: no edit prompt or relation, skipped`);
    return undefined;
  }
  const subjectId = id(edit.subject_id);
  const targetId = id(edit.target_id);
  const sameSubject = (q: Obj) => subjectId !== undefined && id(q.subject_id) === subjectId;
  // Target text (from answers) is removed from the prompt before looking for the subject.
  let target: string | undefined;
  for (const cat of [...PROPAGATION, ...LOCALITY]) {
    for (const q of queries(record, cat)) {
      const forms = answerForms(q);
      const ids = Array.isArray(q.target_ids) ? q.target_ids : [];
      if (!target && forms && targetId && ids.includes(targetId) && prompt.includes(forms.answer))
        target = forms.answer;
    }
  }
  const withoutTarget = target
    ? prompt.slice(0, prompt.lastIndexOf(target)).trim()
    : prompt.replace(/\.\s*$/, '');
  const samePrompts = [...PROPAGATION.filter((c) => c !== 'Subject_Aliasing'), ...LOCALITY].flatMap((c) =>
    queries(record, c)
      .filter(sameSubject)
      .map((q) => str(q.prompt) ?? ''),
  );
  const aliasPrompts = queries(record, 'Subject_Aliasing')
    .filter((q) => str(q.relation) === relation)
    .map((q) => str(q.prompt) ?? '');
  const guess = guessSubject(withoutTarget, samePrompts.filter(Boolean), aliasPrompts.filter(Boolean));
  if (!guess) {
    notes.push(`record ${index}: cannot find the subject's name in "${prompt}", skipped`);
    return undefined;
  }
  const subject = guess.name;
  const object = target ?? targetName(record, targetId, prompt, subject) ?? targetId ?? '?';
  const seenQuestions = new Set<string>();
  let dropped = 0;
  /** The usable queries of `categories`: with a question and an answer, each question once across both lists. */
  const accepted = function* (categories: readonly string[]) {
    for (const category of categories) {
      for (const q of queries(record, category)) {
        const question = str(q.prompt)?.trim();
        const forms = answerForms(q);
        if (!question || !forms || seenQuestions.has(normalize(question))) {
          dropped++;
          continue;
        }
        seenQuestions.add(normalize(question));
        const rel = str(q.relation) ?? relation;
        yield { category, q, question, forms, rel, second: str(q.second_relation) };
      }
    }
  };
  const propagation: Obj[] = [];
  for (const { category, question, forms, rel, second } of accepted(PROPAGATION)) {
    // Compositionality_II asks the edited relation of the subject, reached through another entity.
    const path = category === 'Compositionality_II' ? [second ?? rel] : second ? [rel, second] : [rel];
    const verbatim = [forms.answer, ...forms.aliases].some((f) => containsPhrase(prompt, f));
    propagation.push({
      question,
      answer: forms.answer,
      ...(forms.aliases.length ? { aliases: forms.aliases } : {}),
      path,
      verbatim,
      category,
    });
  }
  const locality: Obj[] = [];
  for (const { category, q, question, forms, rel, second } of accepted(LOCALITY)) {
    locality.push({
      question,
      answer: forms.answer,
      ...(forms.aliases.length ? { aliases: forms.aliases } : {}),
      ...(sameSubject(q) ? { entity: subject } : {}),
      path: second ? [rel, second] : [rel],
      category,
    });
  }
  if (dropped > 0)
    notes.push(
      `record ${index}: ${dropped} quer${dropped === 1 ? 'y' : 'ies'} without answers or repeated, dropped`,
    );
  const prefix = opts.idPrefix ?? str(record.example_type) ?? 'rippleedits';
  const original = isObj(edit.original_fact) ? edit.original_fact : undefined;
  return {
    id: `${prefix}-${index}`,
    ...(opts.split ? { split: opts.split } : {}),
    fact: prompt,
    subject,
    triples: [{ subject, relation, object }],
    propagation,
    locality,
    meta: {
      source: 'rippleedits',
      record: index,
      ...(str(record.example_type) ? { example_type: record.example_type } : {}),
      subject_id: subjectId ?? null,
      relation,
      target_id: targetId ?? null,
      subject_name_from: guess.method,
      ...(original ? { original_fact: original } : {}),
      ...(dropped > 0 ? { dropped_queries: dropped } : {}),
    },
  };
}

/** Converts a parsed RippleEdits file (an array of records). */
export function convertRippleEdits(value: unknown, opts: ConvertOptions = {}): ConvertResult {
  const notes: string[] = [];
  if (!Array.isArray(value))
    return { instances: [], notes: ['the file is not a JSON array of RippleEdits records'] };
  const instances: Obj[] = [];
  value.forEach((record, i) => {
    if (!isObj(record)) {
      notes.push(`record ${i}: not an object, skipped`);
      return;
    }
    const inst = convertRecord(record, i, opts, notes);
    if (inst) instances.push(inst);
  });
  return { instances, notes };
}
