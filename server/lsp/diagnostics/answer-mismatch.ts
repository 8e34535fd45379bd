// Diagnostic: propmend/answer-mismatch
// An answer that disagrees with where the path leads through the new fact and the KB's facts (aliases accepted).
import { answerMatches, pathEnd } from '../check/hops';
import { at, type Rule, replaceFix } from './rule';

export const answerMismatch: Rule = {
  code: 'answer-mismatch',
  severity: 'error',
  needsKb: true,
  instance(inst, ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    for (const q of [...inst.propagation, ...inst.locality]) {
      if (q.answer === undefined || q.answer.trim() === '') continue;
      // An answer of the wrong type is answer-type's finding; saying it twice helps nobody.
      const range = kb.relations.get(q.path?.[q.path.length - 1] ?? '')?.range;
      const type = kb.resolve(q.answer)?.type;
      if (range && type && type !== range) continue;
      const ends = pathEnd(inst, q, kb);
      if (!ends || ends.length === 0) continue;
      if (
        answerMatches(
          kb,
          ends,
          q.answer,
          q.aliases.map((a) => a.text),
        )
      )
        continue;
      const where = at(q.list, q.index, 'answer');
      const shown = ends
        .slice(0, 3)
        .map((e) => `"${e}"`)
        .join(' or ');
      emit(where, `the path ${q.path?.join(' → ')} leads to ${shown}, but the answer says "${q.answer}"`, {
        fixes: ends.length === 1 ? [replaceFix(`Change the answer to "${ends[0]}"`, where, ends[0])] : [],
      });
    }
  },
};
