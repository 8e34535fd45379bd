// Dataset splits: the names, the split a file name implies, and which leaks each split forbids.
// Pure data; the leak rules in server/lsp/diagnostics/ use it.

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

/** Splits whose fact objects must be entities unseen in train. */
export const OOD_ENTITY_SPLITS: ReadonlySet<Split> = new Set(['test-ood-entity', 'test-ood-both']);
/** Splits whose later-hop relations must be unseen in train. */
export const OOD_RELATION_SPLITS: ReadonlySet<Split> = new Set(['test-ood-relation', 'test-ood-both']);

/** The split named by a file's stem (`test-ood-entity.ripple.jsonl` → test-ood-entity), if any. */
export function splitFromFileName(fileName: string): Split | undefined {
  const stem = fileName.replace(/\.ripple\.jsonl$/, '');
  return (SPLITS as readonly string[]).includes(stem) ? (stem as Split) : undefined;
}
