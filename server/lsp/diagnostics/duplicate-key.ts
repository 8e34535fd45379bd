// Diagnostic: propmend/duplicate-key
// A JSON object key written twice (JSON.parse silently keeps the last), or a KB name declared in two KB files.
import type { JsonDoc } from '../../dataset/json';
import type { Pending } from '../check/report';
import { atKey, type Rule } from './rule';

export const DUPLICATE_KEY = 'duplicate-key';

/** Duplicate keys of one document, as pending diagnostics. */
export function duplicateKeyDiagnostics(doc: JsonDoc): Pending[] {
  return doc.duplicateKeys().map((d) => ({
    severity: 'error',
    code: DUPLICATE_KEY,
    message: `key "${d.path[d.path.length - 1]}" appears twice in this object; only the last value counts, remove one`,
    at: { range: d.range },
  }));
}

export const duplicateKey: Rule = {
  code: DUPLICATE_KEY,
  severity: 'error',
  kb(ctx, emit) {
    const section = { type: 'types', relation: 'relations', entity: 'entities' } as const;
    for (const r of ctx.kb.redeclared) {
      if (r.decl.path !== ctx.path) continue;
      const other = r.first.path === ctx.path ? 'earlier in this file' : `in ${r.first.path}`;
      emit(
        atKey(section[r.kind], r.name),
        `${r.kind} "${r.name}" is already declared ${other}; declare it once`,
      );
    }
  },
};
