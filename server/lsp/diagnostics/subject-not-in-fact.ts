// Diagnostic: propmend/subject-not-in-fact
// A subject that does not occur in the fact text (the edit would not be about it).
import { containsPhrase } from '../../dataset/match';
import { at, type Rule } from './rule';

export const subjectNotInFact: Rule = {
  code: 'subject-not-in-fact',
  severity: 'error',
  instance(inst, _ctx, emit) {
    if (inst.subject === undefined || inst.fact === undefined || inst.subject.trim() === '') return;
    if (containsPhrase(inst.fact, inst.subject)) return;
    emit(
      at('subject'),
      `the subject "${inst.subject}" does not occur in the fact text; name it in the fact or fix the subject`,
    );
  },
};
