// Diagnostic: propmend/no-kb
// Information, once per file on line 1: no KB was found, so the KB-dependent rules were skipped.
import type { Pending } from '../check/report';

export const NO_KB = 'no-kb';

export function noKbDiagnostic(): Pending {
  return {
    severity: 'information',
    code: NO_KB,
    message:
      'no *.kb.json found in this folder or above, so relation, entity and type checks are skipped; add a KB file, or set propmend.knowledgeBase (CLI: --kb)',
    at: { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
  };
}
