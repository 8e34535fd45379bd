// Diagnostic: propmend/unknown-relation
// A relation name (in a triple, a question path or a KB fact) that the KB does not declare, with a did-you-mean.
import { closestNames } from '../../common/suggest';
import type { Kb } from '../../dataset/kb';
import type { Where } from '../check/report';
import { at, atKey, didYouMean, type Emit, type Rule, replaceFix } from './rule';

function report(kb: Kb, name: string, where: Where, emit: Emit, context: string): void {
  // An empty name is the schema's error ("must not be empty"); a second one here would repeat it.
  if (name === '' || kb.relations.has(name)) return;
  const near = closestNames(name, kb.relations.keys());
  const list =
    near.length > 0
      ? didYouMean(near)
      : `; known relations: ${[...kb.relations.keys()].slice(0, 12).join(', ')}`;
  emit(where, `unknown relation "${name}" in ${context}${list}`, {
    fixes: near.map((n) => replaceFix(`Change to "${n}"`, where, n)),
  });
}

export const unknownRelation: Rule = {
  code: 'unknown-relation',
  severity: 'error',
  needsKb: true,
  instance(inst, ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    // Known names are the common case: test them before building locations and messages.
    for (const t of inst.triples) {
      if (t.relation !== undefined && !kb.relations.has(t.relation))
        report(kb, t.relation, at('triples', t.index, 'relation'), emit, `triples[${t.index}]`);
    }
    for (const q of [...inst.propagation, ...inst.locality]) {
      q.path?.forEach((hop, k) => {
        if (!kb.relations.has(hop))
          report(kb, hop, at(q.list, q.index, 'path', k), emit, `the path of ${q.list}[${q.index}]`);
      });
    }
  },
  kb(ctx, emit) {
    for (const e of ctx.kb.entities.values()) {
      if (e.decl.path !== ctx.path) continue;
      for (const rel of e.facts.keys()) {
        const where = atKey('entities', e.name, 'facts', rel);
        if (ctx.kb.relations.has(rel)) continue;
        const near = closestNames(rel, ctx.kb.relations.keys());
        emit(where, `unknown relation "${rel}" in the facts of "${e.name}"${didYouMean(near)}`, {
          fixes: near.map((n) => replaceFix(`Change to "${n}"`, where, n)),
        });
      }
    }
  },
};
