// Diagnostic: propmend/unknown-type
// A type name (an instance's subject_type, a KB entity's type, a relation's domain or range) the KB does not declare.
import { closestNames } from '../../common/suggest';
import type { Kb } from '../../dataset/kb';
import type { Where } from '../check/report';
import { at, didYouMean, type Emit, type Rule, replaceFix } from './rule';

function report(kb: Kb, name: string, where: Where, emit: Emit, context: string): void {
  if (kb.types.has(name)) return;
  const near = closestNames(name, kb.types.keys());
  const list = near.length > 0 ? didYouMean(near) : `; known types: ${[...kb.types.keys()].join(', ')}`;
  emit(where, `unknown type "${name}" in ${context}${list}`, {
    fixes: near.map((n) => replaceFix(`Change to "${n}"`, where, n)),
  });
}

export const unknownType: Rule = {
  code: 'unknown-type',
  severity: 'error',
  needsKb: true,
  instance(inst, ctx, emit) {
    if (ctx.kb && inst.subjectType !== undefined)
      report(ctx.kb, inst.subjectType, at('subject_type'), emit, 'subject_type');
  },
  kb(ctx, emit) {
    const kb = ctx.kb;
    for (const r of kb.relations.values()) {
      if (r.decl.path !== ctx.path) continue;
      if (r.domain)
        report(kb, r.domain, at('relations', r.name, 'domain'), emit, `the domain of relation "${r.name}"`);
      if (r.range)
        report(kb, r.range, at('relations', r.name, 'range'), emit, `the range of relation "${r.name}"`);
    }
    for (const e of kb.entities.values()) {
      if (e.decl.path === ctx.path && e.type)
        report(kb, e.type, at('entities', e.name, 'type'), emit, `entity "${e.name}"`);
    }
  },
};
