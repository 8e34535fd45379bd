// Diagnostic: propmend/unreadable-file
// A file the checker will not or cannot read: not a regular file (FIFO, device, socket, folder), over the size limit, without read permission, or a link out of the checked folder; an error, so such a file never passes as clean.
import type { Diagnostic } from '../check/types';

export const UNREADABLE_FILE = 'unreadable-file';

export function unreadableDiagnostic(message: string): Diagnostic {
  return {
    severity: 'error',
    code: UNREADABLE_FILE,
    message: `${message}; nothing in it was checked`,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
}
