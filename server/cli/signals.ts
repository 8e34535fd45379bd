// How a `propmend` process honours SIGINT and SIGTERM: the first aborts the command's signal (long work
// stops at its next check, leaving resumable state), a second one exits at once (130), and a watchdog exits
// a command that has not returned a second after the first. When the launcher supervises this process
// (supervisor.ts), it also relays every signal it gets over IPC; a signal that reaches both counts once.
// Owns process signal handlers and nothing else.

/** How long a cancelled command may take to stop before the process exits anyway. */
export const STOP_WITHIN_MS = 1000;
/** Exit status of a cancelled command (128 + SIGINT, as shells report Ctrl-C). */
export const CANCELLED_EXIT = 130;
/** The IPC message the supervisor relays a signal with. */
export const RELAYED_SIGNAL = 'propmend:signal';
/** Set by the supervisor to its own pid in the child's environment. */
export const SUPERVISED_ENV = 'PROPMEND_SUPERVISOR_PID';

/** Installs the handlers and returns the signal they abort. Call once per process. */
export function cancellationOnSignals(stderr: (text: string) => void): AbortSignal {
  const controller = new AbortController();
  let direct = 0;
  let relayed = 0;
  const onSignal = (from: 'direct' | 'relayed', name: string) => {
    if (from === 'direct') direct++;
    else relayed++;
    // Ctrl-C and `timeout` signal the whole process group: the supervisor relays what this process also got.
    if (Math.max(direct, relayed) >= 2) {
      stderr(`\npropmend: second ${name}; exiting now\n`);
      process.exit(CANCELLED_EXIT);
    }
    if (controller.signal.aborted) return;
    stderr(`\npropmend: ${name}: stopping (send it again to exit at once)\n`);
    controller.abort();
    setTimeout(() => {
      stderr(`propmend: still running ${STOP_WITHIN_MS} ms after ${name}; exiting\n`);
      process.exit(CANCELLED_EXIT);
    }, STOP_WITHIN_MS).unref();
  };
  process.on('SIGINT', () => onSignal('direct', 'SIGINT'));
  process.on('SIGTERM', () => onSignal('direct', 'SIGTERM'));
  if (process.send && process.env[SUPERVISED_ENV] === String(process.ppid)) {
    process.on('message', (message: unknown) => {
      const m = message as { type?: unknown; signal?: unknown } | null;
      if (m?.type === RELAYED_SIGNAL) onSignal('relayed', String(m.signal));
    });
    // The supervisor is gone (killed): stop as if signalled, without waiting for a message that won't come.
    process.on('disconnect', () => onSignal('relayed', 'loss of the supervising process'));
    process.channel?.unref();
  }
  return controller.signal;
}
