// One meta-training run inside the sidecar: the `propmend train` job (server/jobs/meta-train.ts, the resumable
// loop of runtime/edit/meta-train.ts) on its own one-thread runtime, in the background beside the request
// queue. Keeps the run's metric history (read from the run folder's metrics.jsonl, which the loop writes
// atomically), its state, and steps/s over the last steps; pause and stop abort between steps, after which
// the loop has written its state. Never prints; writes only inside the run folder (through the job).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonl } from '../dataset';
import { JobCancelled } from '../jobs/context';
import { metaTrainJob } from '../jobs/meta-train';
import type { TrainPoint, TrainRunInfo, TrainRunState } from '../protocol';
import { BEST_DIR, METRICS_FILE } from '../runtime/edit/meta-train';
import type { TrainConfig } from '../runtime/edit/train-config';
import { Runtime } from '../runtime/session/runtime';
import { readStateFolder } from '../runtime/train/state-folder';
import { mapError } from './errors';

/** Steps/s is measured over at most this many recent steps. */
const RATE_WINDOW = 30;
/** Training runs on one thread (the machine is shared with the editor and the language server). */
const TRAIN_THREADS = 1;

export const ACTIVE_STATES: readonly TrainRunState[] = ['loading', 'running', 'pausing', 'stopping'];

/** Metric points of a metrics.jsonl text (lines that are not whole JSON records are skipped: a torn tail). */
export function parsePoints(text: string): TrainPoint[] {
  const points: TrainPoint[] = [];
  for (const { doc } of parseJsonl(text)) {
    if (!doc.ok || typeof doc.value !== 'object' || doc.value === null) continue;
    const r = doc.value as Record<string, unknown>;
    if ((r.kind !== 'train' && r.kind !== 'validation') || typeof r.step !== 'number') continue;
    const num = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : Number.NaN);
    points.push({
      step: r.step,
      kind: r.kind,
      loss: num('loss'),
      edit_loss: num('edit_loss'),
      loc_loss: num('loc_loss'),
      ...(r.kind === 'validation'
        ? { efficacy_verbatim: num('efficacy_verbatim'), efficacy_nonverbatim: num('efficacy_nonverbatim') }
        : {}),
      train_seconds: num('train_seconds'),
    });
  }
  return points;
}

export function readPoints(out: string): TrainPoint[] {
  const file = join(out, METRICS_FILE);
  return existsSync(file) ? parsePoints(readFileSync(file, 'utf8')) : [];
}

/** The best validation point by the config's early-stopping metric (the first of equals, as the loop keeps). */
export function bestPoint(points: readonly TrainPoint[], metric: string): TrainPoint | null {
  let best: TrainPoint | null = null;
  const value = (p: TrainPoint) => (metric === 'loss' ? p.loss : (p[metric as keyof TrainPoint] as number));
  for (const p of points) {
    if (p.kind !== 'validation') continue;
    if (!best || (metric === 'loss' ? value(p) < value(best) : value(p) > value(best))) best = p;
  }
  return best;
}

/** The step of the state saved in a run folder, or null. */
export function savedStep(out: string): number | null {
  const state = readStateFolder<{ format: 'propmend-meta-training-state'; version: number; step: number }>(
    join(out, 'state'),
    'propmend-meta-training-state',
    'a meta-training state',
  );
  return state ? state.meta.step : null;
}

export interface TrainRunEvents {
  /** The run changed: new points (all of them, from step 1, after a resume rewrote the log) or a new state. */
  readonly changed: (run: TrainRunInfo, points: readonly TrainPoint[]) => void;
  readonly log: (line: string) => void;
}

export class TrainingRun {
  private current: TrainRunState = 'loading';
  private history: TrainPoint[];
  private error: string | null = null;
  private readonly controller = new AbortController();
  private readonly times: { step: number; at: number }[] = [];
  private reread = true;
  /** Settles when the job has ended (its state saved) in any way. */
  readonly done: Promise<void>;

  constructor(
    readonly configFile: string,
    readonly config: TrainConfig,
    readonly out: string,
    private readonly events: TrainRunEvents,
  ) {
    this.history = readPoints(out);
    this.done = this.run();
  }

  get state(): TrainRunState {
    return this.current;
  }

  get active(): boolean {
    return ACTIVE_STATES.includes(this.current);
  }

  get points(): readonly TrainPoint[] {
    return this.history;
  }

  info(): TrainRunInfo {
    const step = this.history.filter((p) => p.kind === 'train').at(-1)?.step ?? 0;
    const rate = this.rate();
    const metric = this.config.early_stopping.metric;
    const best = bestPoint(this.history, metric);
    const bestFile = join(this.out, BEST_DIR, 'hypernet.safetensors');
    return {
      config: this.configFile,
      out: this.out,
      method: this.config.method,
      max_steps: this.config.max_steps,
      state: this.current,
      step,
      steps_per_second: rate,
      seconds_left: rate && this.active ? Math.max(0, this.config.max_steps - step) / rate : null,
      best: {
        metric,
        step: best?.step ?? null,
        value: best
          ? metric === 'loss'
            ? best.loss
            : ((best[metric as keyof TrainPoint] as number) ?? null)
          : null,
        file: existsSync(bestFile) ? bestFile : null,
      },
      error: this.error,
    };
  }

  /** Asks the loop to finish its step, save and end; resolves with the run once it has. */
  async halt(how: 'pause' | 'stop'): Promise<TrainRunInfo> {
    if (this.active) {
      this.set(how === 'pause' ? 'pausing' : 'stopping');
      this.controller.abort();
    }
    await this.done;
    return this.info();
  }

  private rate(): number | null {
    const first = this.times[0];
    const last = this.times.at(-1);
    if (!first || !last || last.step === first.step) return null;
    return ((last.step - first.step) * 1000) / (last.at - first.at);
  }

  private set(state: TrainRunState): void {
    this.current = state;
    this.events.changed(this.info(), []);
  }

  /** After a step: the new metric lines (the whole log the first time: a resume may have truncated it). */
  private stepped(): void {
    const all = readPoints(this.out);
    const known = this.reread ? 0 : this.history.length;
    this.reread = false;
    this.history = all;
    const step = all.filter((p) => p.kind === 'train').at(-1)?.step ?? 0;
    this.times.push({ step, at: performance.now() });
    if (this.times.length > RATE_WINDOW) this.times.shift();
    if (this.current === 'loading') this.current = 'running';
    this.events.changed(this.info(), all.slice(known));
  }

  private async run(): Promise<void> {
    await Promise.resolve();
    const runtime = new Runtime({ threads: TRAIN_THREADS });
    try {
      await metaTrainJob({ config: this.config, outDir: this.out }, runtime, {
        signal: this.controller.signal,
        progress: ({ message }) => {
          if (message.startsWith('step ')) this.stepped();
        },
        log: (line) => this.events.log(line),
      });
      this.current = 'finished';
    } catch (error) {
      if (error instanceof JobCancelled || this.controller.signal.aborted)
        this.current = this.current === 'pausing' ? 'paused' : 'stopped';
      else {
        const mapped = mapError(error, false);
        if (mapped.internal) this.events.log(`training: ${(error as Error).stack ?? mapped.message}`);
        this.error = mapped.message;
        this.current = 'failed';
      }
    } finally {
      await runtime.dispose();
    }
    const before = this.history.length;
    // What a resume will continue from: the loop drops the lines logged after its last saved state (a step
    // whose validation was cancelled), so the history shown ends there too.
    let saved: number | null = null;
    try {
      saved = this.current === 'finished' ? null : savedStep(this.out);
    } catch {
      saved = null;
    }
    this.history = readPoints(this.out).filter((p) => saved === null || p.step <= saved);
    this.events.changed(this.info(), this.history.slice(Math.min(before, this.history.length)));
  }
}
