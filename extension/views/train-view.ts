// The training panel's view model, without `vscode` (unit-tested in plain Node): keeps a run and its metric
// history from the sidecar's trainingStatus answers and trainingProgress notifications (merging a rewound
// history after a resume), and turns them into the page's TrainView: curves, step, steps/s, time left,
// which buttons apply, and the checkpoint to offer. Owns no IO.
import type { TrainPoint, TrainRunInfo, TrainRunState } from '../../server/protocol';
import type { Chart, Series, TrainView } from '../../webviews/train/messages';

export interface TrainRunView {
  readonly run: TrainRunInfo | null;
  readonly points: readonly TrainPoint[];
}

export const EMPTY_RUN_VIEW: TrainRunView = { run: null, points: [] };

/** Order of a point in the log: a step's train line comes before its validation line. */
const order = (p: TrainPoint) => p.step * 2 + (p.kind === 'validation' ? 1 : 0);

/**
 * Appends `incoming` to `held`; a point at or before one already held means the history was rewritten from
 * there (a resumed run drops what was logged after its saved state), so the held points from it on go.
 */
export function mergePoints(held: readonly TrainPoint[], incoming: readonly TrainPoint[]): TrainPoint[] {
  let out = [...held];
  for (const p of incoming) {
    const at = order(p);
    if (out.length && order(out[out.length - 1] as TrainPoint) >= at) out = out.filter((q) => order(q) < at);
    out.push(p);
  }
  return out;
}

/** A full status answer replaces what the view held (a reconnecting panel). */
export function fromStatus(status: {
  run: TrainRunInfo | null;
  points: readonly TrainPoint[];
}): TrainRunView {
  return { run: status.run, points: [...status.points] };
}

/** A progress notification: only for the run the view shows (or any, when it shows none). */
export function withProgress(
  view: TrainRunView,
  progress: { run: TrainRunInfo; points: readonly TrainPoint[] },
): TrainRunView {
  const same = view.run === null || view.run.out === progress.run.out;
  return {
    run: progress.run,
    points: same ? mergePoints(view.points, progress.points) : [...progress.points],
  };
}

const STATE_LABELS: Record<TrainRunState, string> = {
  loading: 'Starting (loading the model and data)',
  running: 'Running',
  pausing: 'Pausing after this step…',
  paused: 'Paused (state saved; Resume continues the same run)',
  stopping: 'Stopping after this step…',
  stopped: 'Stopped',
  finished: 'Finished',
  failed: 'Failed',
};

/** `1:05:03`, `4:07`, `0:09`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function series(
  points: readonly TrainPoint[],
  kind: TrainPoint['kind'],
  name: string,
  tone: Series['tone'],
  value: (p: TrainPoint) => number | undefined,
): Series {
  return {
    name,
    tone,
    points: points.filter((p) => p.kind === kind).map((p) => [p.step, value(p) ?? Number.NaN] as const),
  };
}

/** The three charts: training losses, the locality KL (its own scale), validation efficacy. */
export function trainCharts(points: readonly TrainPoint[]): Chart[] {
  return [
    {
      id: 'loss',
      title: 'Training loss (per step)',
      yRange: null,
      series: [
        series(points, 'train', 'edit loss', 'edit', (p) => p.edit_loss),
        series(points, 'train', 'total (c_edit·edit + c_loc·locality)', 'total', (p) => p.loss),
      ],
    },
    {
      id: 'locality',
      title: 'Locality loss (KL on unrelated text)',
      yRange: null,
      series: [series(points, 'train', 'locality loss', 'loc', (p) => p.loc_loss)],
    },
    {
      id: 'validation',
      title: 'Validation efficacy',
      yRange: [0, 1],
      series: [
        series(points, 'validation', 'non-verbatim', 'nonverbatim', (p) => p.efficacy_nonverbatim),
        series(points, 'validation', 'verbatim', 'verbatim', (p) => p.efficacy_verbatim),
      ],
    },
  ];
}

const ACTIVE: readonly TrainRunState[] = ['loading', 'running', 'pausing', 'stopping'];

export function trainView(view: TrainRunView): TrainView {
  const run = view.run;
  if (!run)
    return {
      title: 'No training run',
      state: 'none',
      stateLabel: 'No run in this window. Run "PropMEND: Train Hypernetwork…" to start one.',
      stepText: '',
      fraction: 0,
      rateText: '',
      leftText: '',
      bestText: '',
      out: '',
      canPause: false,
      canResume: false,
      canStop: false,
      checkpoint: null,
      error: null,
      maxSteps: 1,
      charts: trainCharts([]),
    };
  const active = ACTIVE.includes(run.state);
  const best =
    run.best.step === null || run.best.value === null
      ? 'no validation yet'
      : `best ${run.best.metric} ${run.best.value.toFixed(3)} at step ${run.best.step}`;
  return {
    title: `Training ${run.method} — ${run.config}`,
    state: run.state,
    stateLabel: run.state === 'failed' && run.error ? `Failed: ${run.error}` : STATE_LABELS[run.state],
    stepText: `step ${run.step} / ${run.max_steps}`,
    fraction: run.max_steps > 0 ? Math.min(1, run.step / run.max_steps) : 0,
    rateText: run.steps_per_second === null ? '— steps/s' : `${run.steps_per_second.toFixed(2)} steps/s`,
    leftText: run.seconds_left === null ? '' : `${formatDuration(run.seconds_left)} left`,
    bestText: best,
    out: run.out,
    canPause: run.state === 'running' || run.state === 'loading',
    canResume: run.state === 'paused' || run.state === 'failed',
    canStop: run.state === 'running' || run.state === 'loading',
    checkpoint: active ? null : run.best.file,
    error: run.error,
    maxSteps: run.max_steps,
    charts: trainCharts(view.points),
  };
}
