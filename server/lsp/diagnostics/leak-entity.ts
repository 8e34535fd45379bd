// Diagnostic: propmend/leak-entity
// In test-ood-entity and test-ood-both, a fact object (a known entity) that train instances' triples also use.
import { OOD_ENTITY_SPLITS } from '../../dataset/splits';
import { where } from './duplicate-id';
import { anyInstance, at, type Rule } from './rule';

export const leakEntity: Rule = {
  code: 'leak-entity',
  severity: 'error',
  needsKb: true,
  dataset(ctx, emit) {
    const kb = ctx.kb;
    if (!kb) return;
    const entityOf = (text: string) => {
      const e = kb.resolve(text);
      return e && !kb.isLiteral(e.type) ? e : undefined;
    };
    if (!anyInstance(ctx.files, (i) => i.split !== undefined && OOD_ENTITY_SPLITS.has(i.split))) return;
    const train = new Map<string, { relation: string; at: string }>();
    for (const file of ctx.files) {
      for (const item of file.instances) {
        if (item.instance.split !== 'train') continue;
        for (const t of item.instance.triples) {
          const e = t.object === undefined ? undefined : entityOf(t.object);
          if (e && !train.has(e.name))
            train.set(e.name, { relation: t.relation ?? '?', at: where(file, item) });
        }
      }
    }
    if (train.size === 0) return;
    for (const file of ctx.files) {
      for (const item of file.instances) {
        const split = item.instance.split;
        if (split === undefined || !OOD_ENTITY_SPLITS.has(split)) continue;
        for (const t of item.instance.triples) {
          const e = t.object === undefined ? undefined : entityOf(t.object);
          const hit = e && train.get(e.name);
          if (!e || !hit) continue;
          emit(
            file,
            item,
            at('triples', t.index, 'object'),
            `entity "${e.name}" leaks from train: (${hit.relation}, ${e.name}) at ${hit.at}; ${split} must use entities unseen in train`,
          );
        }
      }
    }
  },
};
