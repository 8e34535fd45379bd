// Diagnostic: propmend/unknown-entity
// An entity name (a triple's object, a locality question's entity, a KB fact's object) the KB does not know, with a did-you-mean.
import { pushAll } from '../../common/arrays';
import { closestNames } from '../../common/suggest';
import type { Kb } from '../../dataset/kb';
import { normalize } from '../../dataset/match';
import type { Where } from '../check/report';
import { at, didYouMean, type Emit, type Rule, replaceFix } from './rule';

function entityNames(kb: Kb): string[] {
  const names: string[] = [];
  for (const e of kb.entities.values()) {
    names.push(e.name);
    pushAll(names, e.aliases);
  }
  return names;
}

/** Reports `name` unless it names a known entity; `names` is computed lazily once per check. */
export function reportUnknownEntity(kb: Kb, name: string, where: Where, emit: Emit, context: string): void {
  if (kb.resolve(name)) return;
  const near = [...new Set(closestNames(name, entityNames(kb)))];
  emit(
    where,
    `unknown entity "${name}" in ${context}${didYouMean(near)}; declare it in the KB or fix the name`,
    {
      fixes: near.map((n) => replaceFix(`Change to "${n}"`, where, n)),
    },
  );
}

export const unknownEntity: Rule = {
  code: 'unknown-entity',
  severity: 'error',
  needsKb: true,
  instance(inst, ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    const subject = inst.subject === undefined ? undefined : normalize(inst.subject);
    for (const t of inst.triples) {
      if (t.subject !== undefined && normalize(t.subject) !== subject) {
        reportUnknownEntity(
          kb,
          t.subject,
          at('triples', t.index, 'subject'),
          emit,
          `triples[${t.index}].subject`,
        );
      }
      if (t.object === undefined || normalize(t.object) === subject) continue;
      const rel = t.relation === undefined ? undefined : kb.relations.get(t.relation);
      if (rel && kb.isLiteral(rel.range)) continue;
      reportUnknownEntity(kb, t.object, at('triples', t.index, 'object'), emit, `triples[${t.index}].object`);
    }
    for (const q of inst.locality) {
      // The edited subject is new, so it is not in the KB; locality-mentions-subject judges that case.
      if (q.entity !== undefined && normalize(q.entity) !== subject)
        reportUnknownEntity(
          kb,
          q.entity,
          at('locality', q.index, 'entity'),
          emit,
          `locality[${q.index}].entity`,
        );
    }
  },
  kb(ctx, emit) {
    const kb = ctx.kb;
    for (const e of kb.entities.values()) {
      if (e.decl.path !== ctx.path) continue;
      for (const [relName, fact] of e.facts) {
        const rel = kb.relations.get(relName);
        if (!rel || kb.isLiteral(rel.range)) continue;
        fact.objects.forEach((o, i) => {
          const where = fact.list
            ? at('entities', e.name, 'facts', relName, i)
            : at('entities', e.name, 'facts', relName);
          reportUnknownEntity(kb, o, where, emit, `the facts of "${e.name}"`);
        });
      }
    }
  },
};
