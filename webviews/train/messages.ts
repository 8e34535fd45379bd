// The typed messages between the training webview and the extension, and the view it shows. The only
// contract between the two sides: the panel (extension/training/panel.ts) posts `show` with a TrainView
// built by extension/views/train-view.ts, the page posts intents back; each side validates what it
// receives. Plain data; imports nothing from either side.

/** One curve: [step, value] pairs in step order. */
export interface Series {
  readonly name: string;
  /** CSS class of its stroke (theme colours in train.css). */
  readonly tone: 'edit' | 'loc' | 'total' | 'nonverbatim' | 'verbatim';
  readonly points: readonly (readonly [number, number])[];
}

export interface Chart {
  readonly id: 'loss' | 'locality' | 'validation';
  readonly title: string;
  readonly series: readonly Series[];
  /** Fixed y range (efficacy 0..1), or null to fit the data. */
  readonly yRange: readonly [number, number] | null;
}

export interface TrainView {
  readonly title: string;
  /** `running`, `paused`… (the run's state) and how a person reads it. */
  readonly state: string;
  readonly stateLabel: string;
  readonly stepText: string;
  /** 0..1 of max_steps. */
  readonly fraction: number;
  readonly rateText: string;
  readonly leftText: string;
  readonly bestText: string;
  readonly out: string;
  readonly canPause: boolean;
  readonly canResume: boolean;
  readonly canStop: boolean;
  /** The best checkpoint, offered with "Use this hypernetwork" once the run has ended or paused. */
  readonly checkpoint: string | null;
  readonly error: string | null;
  /** The x axis of every chart: 0..max_steps. */
  readonly maxSteps: number;
  readonly charts: readonly Chart[];
}

export type ToWebview = { readonly type: 'show'; readonly view: TrainView };

export const INTENTS = ['ready', 'pause', 'resume', 'stop', 'use', 'reveal'] as const;
export type Intent = (typeof INTENTS)[number];
export type FromWebview = { readonly type: Intent };

/** An intent from the page, or null for anything else (never acted on). */
export function readFromWebview(raw: unknown): FromWebview | null {
  const type = (raw as { type?: unknown } | null)?.type;
  return typeof type === 'string' && INTENTS.includes(type as Intent) ? { type: type as Intent } : null;
}

/** A message from the extension, or null. */
export function readToWebview(raw: unknown): ToWebview | null {
  const m = raw as { type?: unknown; view?: unknown } | null;
  return m?.type === 'show' && typeof m.view === 'object' && m.view !== null ? (m as ToWebview) : null;
}
