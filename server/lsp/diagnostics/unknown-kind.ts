// Diagnostic: propmend/unknown-kind
// A file named on the command line whose format cannot be told from its name or its first bytes.
import type { Diagnostic } from '../check/types';

export const UNKNOWN_KIND = 'unknown-kind';

export function unknownKindDiagnostic(shownPath: string): Diagnostic {
  return {
    severity: 'error',
    code: UNKNOWN_KIND,
    message: `cannot tell the format of ${shownPath} from its name; name it *.ripple.jsonl, *.kb.json or *.edit.json, or pass --kind ripple|kb|edit|rippleedits`,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
}
