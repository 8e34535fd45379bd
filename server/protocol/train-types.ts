// The plain-data shapes of meta-training over the runtime sidecar protocol: starting, pausing and stopping a
// run, its status with the metric history, and the progress notification carrying new metric points. Pure
// types and constant tables; imports nothing from the extension, the sidecar or the runtime.

/** Where a run is: running; pausing/stopping (asked, finishing the current step); or ended one way or another. */
export const TRAIN_RUN_STATES = [
  'loading',
  'running',
  'pausing',
  'paused',
  'stopping',
  'stopped',
  'finished',
  'failed',
] as const;
export type TrainRunState = (typeof TRAIN_RUN_STATES)[number];

/** One line of the run's metrics log (`metrics.jsonl`): a training step or a validation pass. */
export interface TrainPoint {
  readonly step: number;
  readonly kind: 'train' | 'validation';
  /** c_edit * edit_loss + c_loc * loc_loss. */
  readonly loss: number;
  readonly edit_loss: number;
  readonly loc_loss: number;
  /** Validation points only. */
  readonly efficacy_verbatim?: number;
  readonly efficacy_nonverbatim?: number;
  readonly train_seconds: number;
}

export interface TrainRunInfo {
  /** Absolute path of the training config. */
  readonly config: string;
  /** Absolute path of the run folder (state/, metrics.jsonl, best/, training.json). */
  readonly out: string;
  readonly method: string;
  readonly max_steps: number;
  readonly state: TrainRunState;
  /** Optimiser steps done. */
  readonly step: number;
  /** Measured over the last steps of this session (validation included); null before two steps. */
  readonly steps_per_second: number | null;
  readonly seconds_left: number | null;
  readonly best: {
    readonly metric: string;
    readonly step: number | null;
    readonly value: number | null;
    /** The best validation checkpoint's hypernet.safetensors, once one is written. */
    readonly file: string | null;
  };
  /** Why the run failed (state `failed`). */
  readonly error: string | null;
}

export interface StartTrainingParams {
  /** Absolute path of a training config (schemas/train-config.schema.json). */
  readonly config: string;
  /** Run folder; default `runs/<config name>` beside the config. A folder with a saved state resumes it. */
  readonly out?: string;
  /** Overrides the config's max_steps. */
  readonly max_steps?: number;
}

export interface TrainingStatusParams {
  /** Only points after this step (a client that has the earlier ones); default all. */
  readonly since?: number;
}

/** A run folder as it is on disk, before starting (the command offers to resume a saved run). */
export interface InspectTrainingParams {
  readonly config: string;
  readonly out?: string;
}

export interface InspectTrainingResult {
  readonly out: string;
  readonly max_steps: number;
  /** The step of the saved state, or null when the folder holds none. */
  readonly saved_step: number | null;
  /** The metric history on disk. */
  readonly points: readonly TrainPoint[];
}

/** The sidecar's training run (null when none ran in this process) and its points. */
export interface TrainingStatusResult {
  readonly run: TrainRunInfo | null;
  readonly points: readonly TrainPoint[];
}

/**
 * sidecar → extension after each step (batched): the run and the points since the last notification. A point
 * at or before one the client holds means the history was rewritten from there (a resumed run drops the
 * steps logged after its last saved state): drop the client's points from that one on.
 */
export interface TrainingProgressParams {
  readonly run: TrainRunInfo;
  readonly points: readonly TrainPoint[];
}
