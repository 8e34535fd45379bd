// Diagnostic: propmend/path-start
// A propagation path whose first hop is not a relation the fact's triples assert for the subject.
import { normalize } from '../../dataset/match';
import { at, type Rule, replaceFix } from './rule';

/**
 * RippleEdits' Logical_Generalization questions follow from the fact by a rule (an inverse relation,
 * "is alive"), not along a path from an asserted relation; their first hop is exempt.
 */
export const RULE_DERIVED_CATEGORIES: ReadonlySet<string> = new Set(['Logical_Generalization']);

export const pathStart: Rule = {
  code: 'path-start',
  severity: 'error',
  instance(inst, ctx, emit) {
    const subject = inst.subject === undefined ? undefined : normalize(inst.subject);
    const asserted = [
      ...new Set(
        inst.triples
          .filter((t) => t.subject === undefined || subject === undefined || normalize(t.subject) === subject)
          .map((t) => t.relation)
          .filter((r): r is string => r !== undefined),
      ),
    ];
    if (asserted.length === 0) return;
    // A misspelt asserted relation is reported by unknown-relation; every path would repeat it here.
    if (ctx.kb && asserted.some((r) => !ctx.kb?.relations.has(r))) return;
    for (const q of inst.propagation) {
      const first = q.path?.[0];
      // An empty first hop is the schema's error; the path means nothing yet.
      if (first === undefined || first === '' || asserted.includes(first)) continue;
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
