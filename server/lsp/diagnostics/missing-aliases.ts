// Diagnostic: propmend/missing-aliases
// A question without an aliases list whose answer is a KB entity with other names; the fix adds them.
import { normalize } from '../../dataset/match';
import { at, type Rule } from './rule';

export const missingAliases: Rule = {
  code: 'missing-aliases',
  severity: 'information',
  needsKb: true,
  instance(inst, ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    for (const q of [...inst.propagation, ...inst.locality]) {
      if (q.hasAliases || q.answer === undefined || q.answer.trim() === '') continue;
      const e = kb.resolve(q.answer);
      if (!e) continue;
      const seen = new Set([normalize(q.answer)]);
      const forms: string[] = [];
      for (const f of [e.name, ...e.aliases]) {
        if (seen.has(normalize(f))) continue;
        seen.add(normalize(f));
        forms.push(f);
      }
      if (forms.length === 0) continue;
      emit(
        at(q.list, q.index, 'answer'),
        `"${q.answer}" is also known as ${forms.map((f) => `"${f}"`).join(', ')}; add an aliases list so those count as correct`,
        {
          fixes: [
            {
              title: 'Add the KB aliases',
              edits: [
                {
                  at: at(q.list, q.index, 'answer'),
                  mode: 'after',
                  newText: `, "aliases": ${JSON.stringify(forms)}`,
                },
              ],
            },
          ],
        },
      );
    }
  },
};
