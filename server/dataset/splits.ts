// Dataset splits: the names, the split a file name implies, and which leaks each split forbids.
// Pure data: the checker's leak rules, the world generator and the runtime's gate all take split names from here.

export const SPLITS = [
  'train',
  'validation',
  'test',
  'test-in-domain',
  'test-ood-entity',
  'test-ood-relation',
  'test-ood-both',
] as const;
export type Split = (typeof SPLITS)[number];

/** The four Controlled-RippleEdit test splits (in-domain and the three out-of-distribution ones). */
export const TEST_SPLITS = [
  'test-in-domain',
  'test-ood-entity',
  'test-ood-relation',
  'test-ood-both',
] as const;
export type TestSplit = (typeof TEST_SPLITS)[number];

/** The splits the embedded world is generated with, in file order (no plain `test`: it has the four above). */
export const WORLD_SPLITS = ['train', 'validation', ...TEST_SPLITS] as const;
export type WorldSplit = (typeof WORLD_SPLITS)[number];

/** Splits whose fact objects must be entities unseen in train. */
export const OOD_ENTITY_SPLITS: ReadonlySet<Split> = new Set(['test-ood-entity', 'test-ood-both']);
/** Splits whose later-hop relations must be unseen in train. */
export const OOD_RELATION_SPLITS: ReadonlySet<Split> = new Set(['test-ood-relation', 'test-ood-both']);

/** The split named by a file's stem (`test-ood-entity.ripple.jsonl` → test-ood-entity), if any. */
export function splitFromFileName(fileName: string): Split | undefined {
  const stem = fileName.replace(/\.ripple\.jsonl$/, '');
  return (SPLITS as readonly string[]).includes(stem) ? (stem as Split) : undefined;
}
