// What the language status item says about the dataset language server: starting, running (with the
// PropMEND diagnostics it has published) or stopped. Plain data; extension/language-status.ts shows it.
// Must not import `vscode` (test/extension/views.test.ts checks the folder).

export type ServerState = 'starting' | 'running' | 'stopped';

export interface DiagnosticCounts {
  readonly errors: number;
  readonly warnings: number;
  readonly files: number;
}

export interface StatusView {
  readonly text: string;
  readonly detail: string;
  readonly severity: 'information' | 'warning' | 'error';
  readonly busy: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function lspStatus(state: ServerState, counts: DiagnosticCounts): StatusView {
  if (state === 'starting')
    return { text: 'PropMEND checker', detail: 'starting', severity: 'information', busy: true };
  if (state === 'stopped')
    return {
      text: 'PropMEND checker',
      detail: 'stopped; see the "PropMEND datasets" output',
      severity: 'error',
      busy: false,
    };
  const found =
    counts.errors + counts.warnings === 0
      ? 'no problems'
      : `${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')} in ${plural(counts.files, 'file')}`;
  return {
    text: 'PropMEND checker',
    detail: `running: ${found}`,
    severity: counts.errors > 0 ? 'warning' : 'information',
    busy: false,
  };
}
