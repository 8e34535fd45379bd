// Diagnostic: propmend/too-many
// Information after the per-file cap: how many further diagnostics were left out.
import type { Diagnostic } from '../check/types';

export const TOO_MANY = 'too-many';

export function tooManyDiagnostic(shown: number, omitted: number, after: Diagnostic): Diagnostic {
  return {
    severity: 'information',
    code: TOO_MANY,
    message: `${omitted} more diagnostics not shown (the first ${shown} are); fix these and check again`,
    range: { start: after.range.start, end: after.range.start },
  };
}
