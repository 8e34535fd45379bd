// The launcher's supervisor (bin/propmend.js runs it; dist/supervisor.js): runs the CLI in a child process,
// relays SIGINT/SIGTERM to it over IPC, and kills it if it has not exited shortly after the first signal,
// so even a command stuck in synchronous work or a blocking read ends (`timeout 5 propmend ...` works).
// The command process gets the malloc tuning for large buffers (server/common/memory-env.ts). Imports only Node
// built-ins and that pure module so it starts fast; owns no command behaviour.
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { withMemoryTuning } from '../common/memory-env';
import { CANCELLED_EXIT, RELAYED_SIGNAL, STOP_WITHIN_MS, SUPERVISED_ENV } from './signals';

/** Extra time the supervisor allows beyond the child's own watchdog before it kills the child. */
const KILL_MARGIN_MS = 500;

/**
 * Runs `command` (argv[0] is the executable) with inherited stdio and an IPC channel, and resolves to the
 * exit status to report: the child's, 128 + its signal number, or 130 when the supervisor killed it.
 */
export function supervise(command: readonly string[], stopWithinMs = STOP_WITHIN_MS): Promise<number> {
  const [file, ...args] = command;
  const child: ChildProcess = spawn(file as string, args, {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...withMemoryTuning(process.env), [SUPERVISED_ENV]: String(process.pid) },
  });
  let signals = 0;
  let killedByUs = false;
  let timer: NodeJS.Timeout | undefined;
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killedByUs = true;
    child.kill('SIGKILL');
  };
  const relay = (signal: NodeJS.Signals) => {
    signals++;
    try {
      if (child.connected) child.send({ type: RELAYED_SIGNAL, signal });
    } catch {
      // The channel closed as the child exits; the timer below still covers a child that lingers.
    }
    clearTimeout(timer);
    timer = setTimeout(kill, signals === 1 ? stopWithinMs + KILL_MARGIN_MS : KILL_MARGIN_MS);
  };
  process.on('SIGINT', relay);
  process.on('SIGTERM', relay);
  return new Promise((done) => {
    child.on('error', (error) => {
      process.stderr.write(`propmend: cannot start ${file}: ${error.message}\n`);
      done(70);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', relay);
      process.off('SIGTERM', relay);
      if (killedByUs) done(CANCELLED_EXIT);
      else if (signal) done(128 + (constants.signals[signal] ?? 0));
      else done(code ?? 70);
    });
  });
}

/** bin/propmend.js: supervise `node <script> ...argv` and exit with its status. */
export function superviseCli(script: string, argv: readonly string[]): void {
  supervise([process.execPath, ...process.execArgv, script, ...argv]).then((code) => process.exit(code));
}
