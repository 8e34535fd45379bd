// The training-config templates "PropMEND: Train Hypernetwork…" offers when it creates a config: the same
// settings as examples/train-*.json (a test holds them equal), without paths, so a new config trains on the
// shipped model and world until the user names their own. Also the run-folder choice when a saved run is
// found. Plain data; must not import `vscode`.

export const TRAIN_TEMPLATES = {
  smoke: {
    label: 'Smoke run (seconds per 10 steps; to see the loop work)',
    file: 'train-smoke.json',
    config: {
      method: 'propmend',
      layers: 'top',
      rank: 16,
      instances_per_step: 1,
      lr: 0.001,
      max_steps: 300,
      validate_every: 10,
      validation_instances: 4,
      locality_rows: 1,
      early_stopping: { metric: 'loss', patience: 100 },
      checkpoint_every: 5,
    },
  },
  propmend: {
    label: 'PropMEND (the shipped hypernetwork’s recipe; hours on one thread)',
    file: 'train-propmend.json',
    config: {
      method: 'propmend',
      layers: 'all',
      rank: 192,
      lr: 0.0003,
      edit_lr_init: 0.0001,
      instances_per_step: 8,
      clip: 100,
      c_edit: 0.1,
      c_loc: 1.0,
      locality_rows: 2,
      seed: 0,
      max_steps: 3000,
      validate_every: 50,
      validation_instances: 50,
      early_stopping: { metric: 'efficacy_nonverbatim', patience: 6 },
      checkpoint_every: 10,
      alpha_lr: 0.0001,
    },
  },
  mend: {
    label: 'MEND (baseline: top layer, verbatim outer loss)',
    file: 'train-mend.json',
    config: {
      method: 'mend',
      layers: 'top',
      rank: 192,
      lr: 0.0001,
      edit_lr_init: 0.0001,
      instances_per_step: 8,
      clip: 100,
      c_edit: 0.1,
      c_loc: 1.0,
      locality_rows: 2,
      seed: 0,
      max_steps: 3000,
      validate_every: 50,
      validation_instances: 50,
      early_stopping: { metric: 'efficacy_verbatim', patience: 6 },
      checkpoint_every: 10,
    },
  },
} as const;

export type TrainTemplate = keyof typeof TRAIN_TEMPLATES;

/** The file text of a template (2-space JSON, trailing newline, as the examples are written). */
export function templateText(name: TrainTemplate): string {
  return `${JSON.stringify(TRAIN_TEMPLATES[name].config, null, 2)}\n`;
}

/** What to do with a run folder that holds a saved state, as the command asks it. */
export interface ResumeChoice {
  readonly label: string;
  readonly action: 'resume' | 'new' | 'show';
}

export function resumeChoices(saved: number | null, maxSteps: number): ResumeChoice[] {
  if (saved === null) return [];
  if (saved >= maxSteps)
    return [
      { label: `Show the finished run (${saved} steps)`, action: 'show' },
      { label: 'Train again into a new run folder', action: 'new' },
    ];
  return [
    { label: `Resume from step ${saved} of ${maxSteps}`, action: 'resume' },
    { label: 'Start over in a new run folder (the saved run stays)', action: 'new' },
  ];
}

/** `runs/train-smoke` → the first of `runs/train-smoke-2`, `-3`, … that `exists` says is free. */
export function nextRunFolder(out: string, exists: (path: string) => boolean): string {
  for (let n = 2; ; n++) if (!exists(`${out}-${n}`)) return `${out}-${n}`;
}
