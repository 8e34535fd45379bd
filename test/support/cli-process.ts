// Runs the `propmend` CLI from source in a child process, the way bin/propmend.js runs the bundle: under the
// supervisor (server/cli/supervisor.ts) relaying signals to a child that runs server/cli/main.ts. For the
// tests that need a real process (signals, kills); in-process runs use support/cli.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** `node --import tsx -e CODE -- ...args` in the repository root, stdout and stderr piped. */
export function spawnNode(code: string, args: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '-e', code, '--', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The CLI without a supervisor (its own signal handling only). */
export function spawnCli(args: readonly string[]): ChildProcess {
  return spawnNode("require('./server/cli/main.ts').main(process.argv.slice(1))", args);
}

/** The CLI under the supervisor, as the installed `propmend` runs. */
export function spawnSupervisedCli(args: readonly string[]): ChildProcess {
  return spawnNode(
    `require('./server/cli/supervisor.ts').supervise([process.execPath, '--import', 'tsx', '-e', "require('./server/cli/main.ts').main(process.argv.slice(1))", '--', ...process.argv.slice(1)]).then((code) => process.exit(code))`,
    args,
  );
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Resolves when the child exits, with what it printed. */
export function exited(child: ChildProcess): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((done) => child.on('close', (code, signal) => done({ code, signal, stdout, stderr })));
}

/** Waits until `ready()` holds (polling every 10 ms), or fails after `ms`. */
export async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (!ready()) {
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
