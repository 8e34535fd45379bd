// Diagnostic: propmend/duplicate-question
// The same question text twice in one instance (propagation and locality together, compared case-insensitively).
import { normalize } from '../../dataset/match';
import { at, type Rule } from './rule';

export const duplicateQuestion: Rule = {
  code: 'duplicate-question',
  severity: 'error',
  instance(inst, _ctx, emit) {
    const seen = new Map<string, string>();
    for (const q of [...inst.propagation, ...inst.locality]) {
      if (q.question === undefined) continue;
      const key = normalize(q.question);
      const first = seen.get(key);
      if (first)
        emit(
          at(q.list, q.index, 'question'),
          `the same question as ${first}; remove one or ask something else`,
        );
      else seen.set(key, `${q.list}[${q.index}]`);
    }
  },
};
