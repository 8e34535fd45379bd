// Diagnostic: propmend/answer-type
// An answer whose KB type differs from the range type of its path's last hop.
import { normalize } from '../../dataset/match';
import { at, type Rule } from './rule';

export const answerType: Rule = {
  code: 'answer-type',
  severity: 'error',
  needsKb: true,
  instance(inst, ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    for (const q of [...inst.propagation, ...inst.locality]) {
      const last = q.path?.[q.path.length - 1];
      const rel = last === undefined ? undefined : kb.relations.get(last);
      if (!rel?.range || kb.isLiteral(rel.range) || q.answer === undefined || q.answer.trim() === '')
        continue;
      let type: string | undefined;
      let name = q.answer;
      if (inst.subject !== undefined && normalize(q.answer) === normalize(inst.subject))
        type = inst.subjectType;
      else {
        const e = kb.resolve(q.answer);
        type = e?.type;
        if (e) name = e.name;
      }
      if (type === undefined || type === rel.range) continue;
      emit(
        at(q.list, q.index, 'answer'),
        `the answer "${q.answer}" is a ${type}${name !== q.answer ? ` ("${name}")` : ''}, but the path ends with "${rel.name}", which yields a ${rel.range}`,
      );
    }
  },
};
