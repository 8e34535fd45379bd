// Diagnostic: propmend/duplicate-alias
// An alias that repeats the answer or an earlier alias (compared case-insensitively); the fix removes the repeats.
import { normalize } from '../../dataset/match';
import { at, type Rule } from './rule';

export const duplicateAlias: Rule = {
  code: 'duplicate-alias',
  severity: 'warning',
  instance(inst, _ctx, emit) {
    for (const q of [...inst.propagation, ...inst.locality]) {
      const seen = new Set<string>();
      if (q.answer !== undefined) seen.add(normalize(q.answer));
      const kept: string[] = [];
      const repeats: Array<(typeof q.aliases)[number]> = [];
      for (const a of q.aliases) {
        const n = normalize(a.text);
        if (n !== '' && seen.has(n)) repeats.push(a);
        else {
          seen.add(n);
          kept.push(a.text);
        }
      }
      for (const a of repeats) {
        const same =
          q.answer !== undefined && normalize(q.answer) === normalize(a.text)
            ? 'the answer'
            : 'an earlier alias';
        emit(at(q.list, q.index, 'aliases', a.index), `alias "${a.text}" repeats ${same}`, {
          fixes: [
            {
              title: 'Remove repeated aliases',
              edits: [{ at: at(q.list, q.index, 'aliases'), newText: JSON.stringify(kept) }],
            },
          ],
        });
      }
    }
  },
};
