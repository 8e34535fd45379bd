// Diagnostic: propmend/path-start
// A propagation path whose first hop is not a relation the fact's triples assert for the subject.
import { at, type Rule, replaceFix } from './rule';

/**
 * RippleEdits' Logical_Generalization questions follow from the fact by a rule (an inverse relation,
 * "is alive"), not along a path from an asserted relation; their first hop is exempt.
 */
export const RULE_DERIVED_CATEGORIES: ReadonlySet<string> = new Set(['Logical_Generalization']);

export const pathStart: Rule = {
  code: 'path-start',
  severity: 'error',
  instance(inst, _ctx, emit) {
    const asserted = [
      ...new Set(inst.triples.map((t) => t.relation).filter((r): r is string => r !== undefined)),
    ];
    if (asserted.length === 0) return;
    for (const q of inst.propagation) {
      const first = q.path?.[0];
      if (first === undefined || asserted.includes(first)) continue;
      if (q.category !== undefined && RULE_DERIVED_CATEGORIES.has(q.category)) continue;
      const where = at('propagation', q.index, 'path', 0);
      emit(
        where,
        `the path of propagation[${q.index}] starts with "${first}", but the fact asserts only ${asserted.map((r) => `"${r}"`).join(', ')}; a propagation path starts with a relation of the new fact`,
        { fixes: asserted.map((r) => replaceFix(`Start the path with "${r}"`, where, r)) },
      );
    }
  },
};
