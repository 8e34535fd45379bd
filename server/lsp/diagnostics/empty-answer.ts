// Diagnostic: propmend/empty-answer
// An answer or alias that is empty or only whitespace (it would match any output, or none).
import type { Question } from '../../dataset/instance';
import { at, atPath, type Emit, type Rule } from './rule';

function checkQuestion(q: Question, emit: Emit): void {
  if (q.answer !== undefined && q.answer.trim() === '') {
    emit(at(q.list, q.index, 'answer'), `${q.list}[${q.index}].answer is empty; write the expected answer`);
  }
  const kept = q.aliases.filter((a) => a.text.trim() !== '').map((a) => a.text);
  for (const a of q.aliases) {
    if (a.text.trim() !== '') continue;
    emit(
      at(q.list, q.index, 'aliases', a.index),
      `${q.list}[${q.index}].aliases[${a.index}] is empty; remove it`,
      {
        fixes: [
          {
            title: 'Remove empty aliases',
            edits: [{ at: at(q.list, q.index, 'aliases'), newText: JSON.stringify(kept) }],
          },
        ],
      },
    );
  }
}

export const emptyAnswer: Rule = {
  code: 'empty-answer',
  severity: 'error',
  instance(inst, _ctx, emit) {
    for (const q of [...inst.propagation, ...inst.locality]) checkQuestion(q, emit);
  },
  rippleedits(value, emit) {
    forEachQuery(value, (query, path) => {
      const answers = (query as { answers?: unknown }).answers;
      if (!Array.isArray(answers)) return;
      answers.forEach((a, i) => {
        const v = (a as { value?: unknown } | null)?.value;
        if (typeof v === 'string' && v.trim() === '')
          emit(
            atPath([...path, 'answers', i, 'value']),
            'the answer value is empty; write the expected answer',
          );
      });
    });
  },
};

export const RIPPLE_CATEGORIES = [
  'Logical_Generalization',
  'Compositionality_I',
  'Compositionality_II',
  'Subject_Aliasing',
  'Relation_Specificity',
  'Forgetfulness',
] as const;

/** Calls `fn` for every test and condition query of a RippleEdits file, with its JSON path. */
export function forEachQuery(
  value: unknown,
  fn: (query: object, path: Array<string | number>) => void,
): void {
  if (!Array.isArray(value)) return;
  value.forEach((record, r) => {
    if (record === null || typeof record !== 'object') return;
    for (const cat of RIPPLE_CATEGORIES) {
      const tests = (record as Record<string, unknown>)[cat];
      if (!Array.isArray(tests)) continue;
      tests.forEach((test, t) => {
        if (test === null || typeof test !== 'object') return;
        for (const list of ['test_queries', 'condition_queries'] as const) {
          const queries = (test as Record<string, unknown>)[list];
          if (!Array.isArray(queries)) continue;
          queries.forEach((q, i) => {
            if (q !== null && typeof q === 'object') fn(q, [r, cat, t, list, i]);
          });
        }
      });
    }
  });
}
