// Diagnostic: propmend/answer-in-question
// A question that contains its own answer (case-insensitive, on word boundaries), so it can be answered by copying.
import { containsPhrase } from '../../dataset/match';
import { at, type Rule } from './rule';

export const answerInQuestion: Rule = {
  code: 'answer-in-question',
  severity: 'error',
  instance(inst, _ctx, emit) {
    for (const q of [...inst.propagation, ...inst.locality]) {
      if (q.answer === undefined || q.question === undefined || q.answer.trim() === '') continue;
      if (!containsPhrase(q.question, q.answer)) continue;
      // A locality answer is only a reference (the unedited model's answer counts), so this is a warning there.
      emit(
        at(q.list, q.index, 'question'),
        `${q.list}[${q.index}] contains its own answer "${q.answer.trim()}"; rephrase the question`,
        {
          severity: q.list === 'locality' ? 'warning' : 'error',
        },
      );
    }
  },
};
