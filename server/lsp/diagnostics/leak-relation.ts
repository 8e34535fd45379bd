// Diagnostic: propmend/leak-relation
// In test-ood-relation and test-ood-both, a relation after a path's first hop that train paths also use after the first hop.
import { OOD_RELATION_SPLITS } from '../../dataset/splits';
import { where } from './duplicate-id';
import { anyInstance, at, type Rule } from './rule';

export const leakRelation: Rule = {
  code: 'leak-relation',
  severity: 'error',
  dataset(ctx, emit) {
    if (!anyInstance(ctx.files, (i) => i.split !== undefined && OOD_RELATION_SPLITS.has(i.split))) return;
    const train = new Map<string, string>();
    for (const file of ctx.files) {
      for (const item of file.instances) {
        if (item.instance.split !== 'train') continue;
        for (const q of item.instance.propagation) {
          for (const hop of q.path?.slice(1) ?? []) if (!train.has(hop)) train.set(hop, where(file, item));
        }
      }
    }
    if (train.size === 0) return;
    for (const file of ctx.files) {
      for (const item of file.instances) {
        const split = item.instance.split;
        if (split === undefined || !OOD_RELATION_SPLITS.has(split)) continue;
        for (const q of item.instance.propagation) {
          q.path?.forEach((hop, k) => {
            const hit = k > 0 ? train.get(hop) : undefined;
            if (!hit) return;
            emit(
              file,
              item,
              at('propagation', q.index, 'path', k),
              `relation "${hop}" leaks from train (a later hop at ${hit}); ${split} must use relations unseen in train after the first hop`,
            );
          });
        }
      }
    }
  },
};
