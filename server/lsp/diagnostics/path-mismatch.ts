// Diagnostic: propmend/path-mismatch
// A relation path that does not compose: the range type of hop k differs from the domain type of hop k+1.
import { at, type Rule } from './rule';

export const pathMismatch: Rule = {
  code: 'path-mismatch',
  severity: 'error',
  needsKb: true,
  instance(inst, ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    for (const q of [...inst.propagation, ...inst.locality]) {
      const path = q.path ?? [];
      for (let k = 0; k + 1 < path.length; k++) {
        const a = kb.relations.get(path[k] as string);
        const b = kb.relations.get(path[k + 1] as string);
        if (!a || !b || !a.range || !b.domain || a.range === b.domain) continue;
        emit(
          at(q.list, q.index, 'path', k + 1),
          `the path of ${q.list}[${q.index}] does not compose: "${a.name}" yields a ${a.range}, but "${b.name}" expects a ${b.domain}`,
        );
      }
      // A locality path starts at its entity: the first hop must accept the entity's type.
      if (q.list === 'locality' && q.entity !== undefined && path.length > 0) {
        const e = kb.resolve(q.entity);
        const first = kb.relations.get(path[0] as string);
        if (e && first?.domain && e.type && e.type !== first.domain) {
          emit(
            at('locality', q.index, 'path', 0),
            `the path of locality[${q.index}] does not compose: "${first.name}" expects a ${first.domain}, but entity "${e.name}" is a ${e.type}`,
          );
        }
      }
    }
  },
};
