// Diagnostic: propmend/locality-mentions-subject
// A locality question about the edited subject: an error without a path, a warning when it asks a relation the edit changes.
import { containsPhrase, normalize } from '../../dataset/match';
import { at, type Rule } from './rule';

export const localityMentionsSubject: Rule = {
  code: 'locality-mentions-subject',
  severity: 'error',
  instance(inst, _ctx, emit) {
    const subject = inst.subject;
    if (subject === undefined || subject.trim() === '') return;
    const edited = new Set(inst.triples.map((t) => t.relation));
    for (const q of inst.locality) {
      const mentions =
        (q.question !== undefined && containsPhrase(q.question, subject)) ||
        (q.entity !== undefined && normalize(q.entity) === normalize(subject));
      if (!mentions) continue;
      const first = q.path?.[0];
      if (first !== undefined && !edited.has(first)) continue; // another relation of the subject: fine
      const where = at('locality', q.index, 'question');
      if (first === undefined) {
        emit(
          where,
          `locality[${q.index}] mentions the edited subject "${subject}"; ask about an unrelated entity, or give a "path" whose relation the edit does not change`,
        );
      } else {
        emit(
          where,
          `locality[${q.index}] asks "${first}" of the edited subject "${subject}"; the edit changes that relation, so its answer may change`,
          {
            severity: 'warning',
          },
        );
      }
    }
  },
};
