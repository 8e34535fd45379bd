// Diagnostic: propmend/cardinality
// A *-to-one relation given several objects for one subject, or a one-to-* relation whose object has several subjects.
import { normalize } from '../../dataset/match';
import { at, atKey, type Rule } from './rule';

export const cardinality: Rule = {
  code: 'cardinality',
  severity: 'error',
  needsKb: true,
  instance(inst, ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    const seen = new Map<string, string>();
    for (const t of inst.triples) {
      const rel = t.relation === undefined ? undefined : kb.relations.get(t.relation);
      if (!rel || t.object === undefined || !rel.cardinality.endsWith('-to-one')) continue;
      const prev = seen.get(rel.name);
      if (prev !== undefined && normalize(prev) !== normalize(t.object)) {
        emit(
          at('triples', t.index, 'object'),
          `"${rel.name}" is ${rel.cardinality}: the fact already gives "${prev}", so "${t.object}" would be a second object`,
        );
      } else seen.set(rel.name, t.object);
    }
  },
  kb(ctx, emit) {
    const kb = ctx.kb;
    const firstSubject = new Map<string, string>();
    for (const e of kb.entities.values()) {
      for (const [relName, fact] of e.facts) {
        const rel = kb.relations.get(relName);
        if (!rel) continue;
        const mine = e.decl.path === ctx.path;
        if (mine && rel.cardinality.endsWith('-to-one') && new Set(fact.objects.map(normalize)).size > 1) {
          emit(
            atKey('entities', e.name, 'facts', relName),
            `"${rel.name}" is ${rel.cardinality}, but "${e.name}" has ${fact.objects.length} objects; keep one`,
          );
        }
        if (!rel.cardinality.startsWith('one-to-')) continue;
        fact.objects.forEach((o, i) => {
          const object = kb.resolve(o)?.name ?? o;
          const key = `${rel.name}\u0000${object}`;
          const prev = firstSubject.get(key);
          if (prev === undefined) {
            firstSubject.set(key, e.name);
            return;
          }
          if (prev === e.name || !mine) return;
          const where = fact.list
            ? at('entities', e.name, 'facts', relName, i)
            : at('entities', e.name, 'facts', relName);
          emit(
            where,
            `"${rel.name}" is ${rel.cardinality}, but "${object}" is already the object of "${prev}"`,
          );
        });
      }
    }
  },
};
