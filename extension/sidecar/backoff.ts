// Restart pacing for the runtime sidecar: the delay before the n-th consecutive restart doubles from a base
// up to a cap, and the count resets once a restarted sidecar has served a request. Pure; no timers, no vscode.

export interface BackoffOptions {
  /** Delay before the first restart after a crash. */
  readonly initialMs: number;
  /** The most any restart waits. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

export class Backoff {
  private crashes = 0;
  private lastCrashAt = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** Consecutive crashes since the last healthy request. */
  get consecutive(): number {
    return this.crashes;
  }

  crashed(now: number): void {
    this.crashes++;
    this.lastCrashAt = now;
  }

  /** A request succeeded: the next crash starts from the base delay again. */
  healthy(): void {
    this.crashes = 0;
  }

  /** The delay before the n-th consecutive restart: initial · 2^(n-1), at most maxMs (0 with no crash). */
  delayMs(): number {
    if (this.crashes === 0) return 0;
    return Math.min(this.options.maxMs, this.options.initialMs * 2 ** (this.crashes - 1));
  }

  /** How long a start at `now` must still wait. */
  waitMs(now: number): number {
    return Math.max(0, this.lastCrashAt + this.delayMs() - now);
  }
}
