// The sidecar serves one request at a time: a FIFO queue that runs each request's work after the previous
// one settles, and knows what runs now and how many wait (for propmend/status, which bypasses the queue).
// A request cancelled while it waits never starts. Owns no protocol or runtime knowledge.

export interface Busy {
  readonly method: string;
  readonly since: string;
}

export class RequestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private current: Busy | null = null;

  /** What runs now, if anything. */
  get busy(): Busy | null {
    return this.current;
  }

  /** How many requests wait behind the running one. */
  get queued(): number {
    return this.waiting;
  }

  /** Runs `work` after every earlier request has settled; a request aborted while waiting rejects unstarted. */
  run<T>(method: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(async () => {
      this.waiting--;
      signal.throwIfAborted();
      this.current = { method, since: new Date().toISOString() };
      try {
        return await work();
      } finally {
        this.current = null;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
