// Learning-rate schedules: linear warm-up then cosine decay to a floor.
// Pure functions of the step; the optimizer and the loop live in adamw.ts and pretrain.ts.

export interface CosineSchedule {
  readonly peak: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  /** Final learning rate as a fraction of the peak. */
  readonly floorRatio: number;
}

/** Learning rate at 0-based `step`: linear ramp over warm-up, then half a cosine down to the floor. */
export function learningRate(s: CosineSchedule, step: number): number {
  if (step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  const floor = s.peak * s.floorRatio;
  return floor + ((s.peak - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}
