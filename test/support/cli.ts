// Runs the `propmend` CLI in-process for tests, capturing stdout and stderr as strings with a non-TTY stderr
// and a signal that is never aborted. Child-process runs (signals, kills) are in support/cli-process.ts.
import type { CliIO } from '../../server/cli/command';
import { runCli } from '../../server/cli/main';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCliCaptured(argv: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stderrIsTTY: false,
    signal: new AbortController().signal,
  };
  const code = await runCli([...argv], io);
  return { code, stdout, stderr };
}
