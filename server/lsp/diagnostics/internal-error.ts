// Diagnostic: propmend/internal-error
// The checker itself failed on this file (a bug, not bad input): reported on the file so the failure is seen and the other files keep their diagnostics.
import type { Diagnostic } from '../check/types';

export const INTERNAL_ERROR = 'internal-error';

export function internalErrorDiagnostic(error: unknown): Diagnostic {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    severity: 'error',
    code: INTERNAL_ERROR,
    message: `the checker failed on this file (${what.slice(0, 200)}); other files are still checked, please report this`,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
}
