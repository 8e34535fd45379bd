// Diagnostic: propmend/leak-subject
// A subject of a train instance reused by a non-train instance of the same dataset (every split needs new subjects).
import { normalize } from '../../dataset/match';
import { where } from './duplicate-id';
import { anyInstance, at, type Rule } from './rule';

export const leakSubject: Rule = {
  code: 'leak-subject',
  severity: 'error',
  dataset(ctx, emit) {
    if (!anyInstance(ctx.files, (i) => i.split !== undefined && i.split !== 'train')) return;
    const train = new Map<string, string>();
    for (const file of ctx.files) {
      for (const item of file.instances) {
        const s = item.instance.subject;
        if (item.instance.split === 'train' && s !== undefined && !train.has(normalize(s)))
          train.set(normalize(s), where(file, item));
      }
    }
    if (train.size === 0) return;
    for (const file of ctx.files) {
      for (const item of file.instances) {
        const { split, subject } = item.instance;
        if (split === undefined || split === 'train' || subject === undefined) continue;
        const hit = train.get(normalize(subject));
        if (hit)
          emit(
            file,
            item,
            at('subject'),
            `subject "${subject}" also appears in train at ${hit}; a ${split} instance needs a subject unseen in train`,
          );
      }
    }
  },
};
