// Helpers of the "ours" side processes (ours.ts, ours-metatrain.ts): repeated timed runs with warm-up, model
// loading on a runtime of N threads, and writing the benchmark hypernetwork of the reference's shape when a
// case needs one that is not there yet. Measures only; calls product code, never changes it.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Rng } from '../../server/common/random';
import { captureFactors, normalizers } from '../../server/runtime/edit/factors';
import { saveHypernet } from '../../server/runtime/edit/hypernet-checkpoint';
import { newHypernetwork } from '../../server/runtime/edit/hypernetwork';
import { targetLinears } from '../../server/runtime/edit/layers';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { loadLanguageModel } from '../../server/runtime/models/load';
import { Runtime } from '../../server/runtime/session/runtime';
import type { EditSpec } from './spec';

export type Series = Record<string, { warmup_s: number[]; runs_s: number[] }>;

/** Runs `body` warmup + reps times; body returns named durations (seconds) of its stages. */
export async function repeat(
  settings: { warmup: number; reps: number },
  body: (i: number) => Promise<Record<string, number>>,
): Promise<Series> {
  const series: Series = {};
  for (let i = 0; i < settings.warmup + settings.reps; i++) {
    const times = await body(i);
    for (const [name, s] of Object.entries(times)) {
      const entry = series[name] ?? { warmup_s: [], runs_s: [] };
      (i < settings.warmup ? entry.warmup_s : entry.runs_s).push(s);
      series[name] = entry;
    }
  }
  return series;
}

export function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

export function loadModel(
  dir: string,
  threads: number,
): { model: LanguageModel; runtime: Runtime; load_s: number } {
  const runtime = new Runtime({ threads });
  const t0 = performance.now();
  const model = loadLanguageModel(dir, { runtime });
  return { model, runtime, load_s: seconds(t0) };
}

/**
 * Writes a hypernetwork of the reference's shape for `model` (shared transforms, the given rank): seeded random
 * U (std 1e-4, so the transform is not the identity) and the reference's V ~ N(0, 1), statistics from the
 * fact's own capture (k = its rows), alpha 1e-4. Timing only; it was never trained.
 */
export async function createHypernet(
  file: string,
  create: EditSpec['createHypernet'],
  fact: readonly number[],
  model: LanguageModel,
): Promise<void> {
  if (!create || existsSync(file)) return;
  const t0 = performance.now();
  const targets = targetLinears(create.layers);
  const net = newHypernetwork(
    model,
    { targets, rank: create.rank, shared: true, editLrInit: 1e-4 },
    {
      seed: create.seed,
      innerLoss: 'clm',
    },
  );
  const rng = new Rng(`bench-hypernet-u:${create.seed}`);
  for (const [name, data] of net.params)
    if (name.endsWith('.u')) for (let i = 0; i < data.length; i++) data[i] = 1e-4 * rng.normal();
  const factors = await captureFactors(model, net, { rows: [fact], scoredFrom: [1] });
  normalizers(net, factors, true);
  saveHypernet(dirname(file), model, net, {
    method: 'propmend',
    training: { note: 'benchmark hypernetwork: seeded random weights, never trained', seed: create.seed },
  });
  process.stderr.write(`bench: wrote ${file} in ${seconds(t0).toFixed(1)} s\n`);
}
