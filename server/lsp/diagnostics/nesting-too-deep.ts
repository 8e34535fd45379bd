// Diagnostic: propmend/nesting-too-deep
// A document (a line in *.jsonl) whose arrays and objects nest deeper than MAX_JSON_NESTING: refused at the first bracket past the limit, so no parser or rule recurses into it.
import type { SyntaxError as JsonSyntaxError } from '../../dataset/json';
import type { Pending } from '../check/report';

export const NESTING_TOO_DEEP = 'nesting-too-deep';

export function nestingDiagnostic(e: JsonSyntaxError, context: string): Pending {
  return {
    severity: 'error',
    code: NESTING_TOO_DEEP,
    message: `${e.message}${context}; the dataset formats need about six levels, so it is not read further`,
    at: { range: e.range },
  };
}
