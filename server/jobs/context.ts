// The contract between long work and whoever runs it: a job is an async function taking its plain-data
// parameters and a JobContext (cancellation signal, progress sink, log sink) and returning plain data.
// The CLI (server/cli/job-io.ts) and the runtime sidecar are adapters over this type; jobs never print,
// never read process state and never exit. Must not import server/cli or anything editor-facing.

/** One progress report: how much of the job is done (0..1) and what it is doing now, in words. */
export interface JobProgress {
  readonly fraction: number;
  readonly message: string;
}

/**
 * What a job gets from its runner. Maps one to one onto a JSON-RPC sidecar: `progress` becomes a
 * `$/progress`-style notification `{fraction, message}`, `log` a log-line notification, and `signal`
 * is aborted by a cancel request.
 */
export interface JobContext {
  /** Aborted when the user cancels; long work checks it between steps and stops with resumable state. */
  readonly signal: AbortSignal;
  /** Called often; the runner throttles the display. Fractions never decrease within a job. */
  progress(update: JobProgress): void;
  /** One line of log text (no trailing newline): what happened, not results. */
  log(line: string): void;
}

/**
 * A failure caused by the job's input (a missing or malformed file, a target that may not be written):
 * the runner reports the message as one line (the CLI exits 1). Any other exception is a bug.
 */
export class JobInputError extends Error {
  override name = 'JobInputError';
}

/** The job stopped because its signal was aborted; `resumeHint` says how to continue, when it can. */
export class JobCancelled extends Error {
  override name = 'JobCancelled';
  constructor(
    message: string,
    readonly resumeHint?: string,
  ) {
    super(message);
  }
}

/** Throws JobCancelled when the context's signal is aborted. */
export function throwIfCancelled(ctx: Pick<JobContext, 'signal'>, what: string): void {
  if (ctx.signal.aborted) throw new JobCancelled(`${what} cancelled`);
}

/** A context that shows nothing and is never cancelled (tests, library callers that want only the result). */
export function quietContext(signal: AbortSignal = new AbortController().signal): JobContext {
  return { signal, progress: () => {}, log: () => {} };
}

/**
 * A view of `ctx` for one phase of a job that covers [from, to] of its progress: the phase reports 0..1,
 * the parent sees from..to, with the phase's label in front of its messages.
 */
export function phase(ctx: JobContext, from: number, to: number, label: string): JobContext {
  return {
    signal: ctx.signal,
    log: (line) => ctx.log(line),
    progress: ({ fraction, message }) =>
      ctx.progress({
        fraction: from + (to - from) * Math.min(1, Math.max(0, fraction)),
        message: message ? `${label}: ${message}` : label,
      }),
  };
}
