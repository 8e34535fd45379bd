// Diagnostic: propmend/verbatim-label
// A `verbatim` label that contradicts the fact text: verbatim iff the answer or an alias occurs in the fact (case-insensitive, word boundaries).
import { containsPhrase } from '../../dataset/match';
import { at, type Rule, replaceFix } from './rule';

export const verbatimLabel: Rule = {
  code: 'verbatim-label',
  severity: 'error',
  instance(inst, _ctx, emit) {
    const fact = inst.fact;
    if (fact === undefined) return;
    for (const q of inst.propagation) {
      if (q.verbatim === undefined || q.answer === undefined) continue;
      const forms = [q.answer, ...q.aliases.map((a) => a.text)].filter((f) => f.trim() !== '');
      const hit = forms.find((f) => containsPhrase(fact, f));
      const actual = hit !== undefined;
      if (actual === q.verbatim) continue;
      const where = at('propagation', q.index, 'verbatim');
      const message = actual
        ? `verbatim is false, but "${hit}" occurs in the fact text; set it to true`
        : `verbatim is true, but neither the answer "${q.answer}" nor its aliases occur in the fact text; set it to false`;
      emit(where, message, { fixes: [replaceFix(`Set verbatim to ${actual}`, where, actual)] });
    }
  },
};
