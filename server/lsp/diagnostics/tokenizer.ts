// Diagnostic: propmend/tokenizer
// A configured tokenizer folder that cannot be loaded (the token-length rules are then skipped).
import type { Pending } from '../check/report';

export const TOKENIZER = 'tokenizer';

export function tokenizerDiagnostic(message: string): Pending {
  return {
    severity: 'warning',
    code: TOKENIZER,
    message: `token-length checks skipped: ${message}; fix the propmend.tokenizer setting (CLI: --tokenizer)`,
    at: { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
  };
}
