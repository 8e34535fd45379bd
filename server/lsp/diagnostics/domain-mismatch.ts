// Diagnostic: propmend/domain-mismatch
// A triple or KB fact whose subject type differs from the relation's domain, or whose object type differs from its range.
import type { Kb } from '../../dataset/kb';
import { normalize } from '../../dataset/match';
import { at, atKey, type Rule } from './rule';

function typeOf(kb: Kb, name: string): string | undefined {
  return kb.resolve(name)?.type || undefined;
}

export const domainMismatch: Rule = {
  code: 'domain-mismatch',
  severity: 'error',
  needsKb: true,
  instance(inst, ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    for (const t of inst.triples) {
      const rel = t.relation === undefined ? undefined : kb.relations.get(t.relation);
      if (!rel) continue;
      const isSubject =
        t.subject === undefined ||
        (inst.subject !== undefined && normalize(t.subject) === normalize(inst.subject));
      const subjectType = isSubject ? inst.subjectType : typeOf(kb, t.subject as string);
      // An unknown subject type is reported by unknown-type; comparing it here would only repeat that.
      if (subjectType && rel.domain && subjectType !== rel.domain && kb.types.has(subjectType)) {
        emit(
          at('triples', t.index, 'relation'),
          `"${rel.name}" applies to a ${rel.domain}, but the subject${isSubject ? '' : ` "${t.subject}"`} is a ${subjectType}`,
        );
      }
      if (t.object === undefined || kb.isLiteral(rel.range)) continue;
      const objectType = typeOf(kb, t.object);
      if (objectType && rel.range && objectType !== rel.range) {
        emit(
          at('triples', t.index, 'object'),
          `"${rel.name}" expects a ${rel.range} as object, but "${t.object}" is a ${objectType}`,
        );
      }
    }
  },
  kb(ctx, emit) {
    const kb = ctx.kb;
    for (const e of kb.entities.values()) {
      if (e.decl.path !== ctx.path) continue;
      for (const [relName, fact] of e.facts) {
        const rel = kb.relations.get(relName);
        if (!rel) continue;
        if (e.type && rel.domain && e.type !== rel.domain && kb.types.has(e.type)) {
          emit(
            atKey('entities', e.name, 'facts', relName),
            `"${rel.name}" applies to a ${rel.domain}, but "${e.name}" is a ${e.type}`,
          );
        }
        if (kb.isLiteral(rel.range)) continue;
        fact.objects.forEach((o, i) => {
          const t = typeOf(kb, o);
          if (!t || !rel.range || t === rel.range) return;
          const where = fact.list
            ? at('entities', e.name, 'facts', relName, i)
            : at('entities', e.name, 'facts', relName);
          emit(where, `"${rel.name}" expects a ${rel.range} as object, but "${o}" is a ${t}`);
        });
      }
    }
  },
};
