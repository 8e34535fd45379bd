// Diagnostic: propmend/json-syntax
// Text that is not valid JSON (per line in *.jsonl), located at the offending character.
import type { JsonDoc } from '../../dataset/json';
import type { Pending } from '../check/report';
import { nestingDiagnostic } from './nesting-too-deep';

export const JSON_SYNTAX = 'json-syntax';

export function syntaxDiagnostics(doc: JsonDoc, context: string): Pending[] {
  return doc.syntaxErrors().map((e) =>
    e.tooDeep
      ? nestingDiagnostic(e, context)
      : {
          severity: 'error',
          code: JSON_SYNTAX,
          message: `invalid JSON${context}: ${e.message}`,
          at: { range: e.range },
        },
  );
}
