// The meta-training loop of PropMEND and MEND: per optimiser step, `instances_per_step` edit instances in a
// seeded per-epoch order, each edited from the original weights (statistics updated), the meta-gradient of
// c_edit * L_e + c_loc * L_loc w.r.t. the hypernetwork and alpha accumulated, then one clipped Adam step.
// Validates every N steps with frozen statistics, keeps the best checkpoint, stops early on a named metric,
// writes a JSONL metrics log, and resumes after a kill from the last saved state without losing or
// repeating instances (every random choice is a function of the seed and the instance counter).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic';
import { hashString, Rng } from '../../common/random';
import type { TextTokenizer } from '../../common/tokenizer';
import { parseJsonl } from '../../dataset';
import type { LanguageModel } from '../models/language-model';
import { newAdamWState } from '../train/adamw';
import { adamStep } from './adam';
import { innerExample, localityRows, outerQuestions } from './episode';
import { captureFactors, normalizers } from './factors';
import { EDIT_LRS, hypernetLayout, targetShapes } from './hypernet';
import { saveHypernet } from './hypernet-checkpoint';
import { type Hypernetwork, newHypernetwork } from './hypernetwork';
import type { EditInstance } from './instances';
import { resolveLayers, targetLinears } from './layers';
import { metaBatch } from './meta-batch';
import { metaLoss } from './meta-graph';
import type { TrainConfig } from './train-config';
import { loadTrainState, type MetaTrainState, saveTrainState } from './train-state';
import { type ValidationResult, validateHypernet } from './validate';

/** What a job gives a long computation: cancellation, progress and a log line sink (stderr). */
export interface JobContext {
  readonly signal?: AbortSignal;
  readonly progress?: (done: number, total: number, fields: Record<string, string>) => void;
  readonly log?: (line: string) => void;
}

export interface MetaTrainInputs {
  readonly model: LanguageModel;
  readonly tokenizer: TextTokenizer;
  readonly config: TrainConfig;
  readonly train: readonly EditInstance[];
  readonly validation: readonly EditInstance[];
  readonly localityTexts: readonly string[];
  /** Receives state/, metrics.jsonl and best.hypernet.safetensors. */
  readonly outDir: string;
}

export interface MetaTrainResult {
  readonly steps: number;
  readonly stoppedEarly: boolean;
  readonly best: { readonly step: number; readonly value: number | null };
  readonly trainSeconds: number;
  readonly bestFile: string;
  readonly metricsFile: string;
}

/** Folder (holding hypernet.safetensors) of the best validation checkpoint. */
export const BEST_DIR = 'best';
export const METRICS_FILE = 'metrics.jsonl';

export function configHash(config: TrainConfig): string {
  return hashString(JSON.stringify(config)).toString(16);
}

/** The instance index of global iteration `it`: epoch e visits a permutation seeded by (seed, e). */
function orderFor(seed: number, n: number): (it: number) => number {
  const cache = new Map<number, number[]>();
  return (it) => {
    const epoch = Math.floor(it / n);
    let perm = cache.get(epoch);
    if (!perm) {
      perm = new Rng(`meta-order:${seed}:${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
      cache.clear();
      cache.set(epoch, perm);
    }
    return perm[it % n] as number;
  };
}

/** Keeps the metrics lines of steps up to `step` (a resumed run rewrites what a killed run logged after). */
function truncateLog(file: string, step: number): void {
  if (!existsSync(file)) return;
  const kept = parseJsonl(readFileSync(file, 'utf8'))
    .filter(({ doc }) => doc.ok && (doc.value as { step: number }).step <= step)
    .map(({ doc }) => JSON.stringify(doc.value));
  writeFileAtomic(file, kept.map((l) => `${l}\n`).join(''));
}

function improves(
  metric: TrainConfig['early_stopping']['metric'],
  value: number,
  best: number | null,
): boolean {
  if (best === null) return true;
  return metric === 'loss' ? value < best : value > best;
}

export async function metaTrain(inputs: MetaTrainInputs, ctx: JobContext = {}): Promise<MetaTrainResult> {
  const { model, tokenizer, config, outDir } = inputs;
  mkdirSync(outDir, { recursive: true });
  const targets = targetLinears(resolveLayers(config.layers, model.config.numLayers));
  const spec = { targets, rank: config.rank, shared: config.shared, editLrInit: config.edit_lr_init };
  const layout = hypernetLayout(spec, targetShapes(model.weights, targets));
  const hash = configHash(config);
  const groupShapes = new Map(layout.groups.map((g) => [g.key, { dIn: g.dIn, dOut: g.dOut }]));
  let state: MetaTrainState | null = loadTrainState(outDir, groupShapes);
  if (state && state.configHash !== hash)
    throw new Error(
      `${outDir} holds a run with a different configuration; use another --out folder or delete ${join(outDir, 'state')}`,
    );
  if (!state) {
    const fresh = newHypernetwork(model, spec, { seed: config.seed, innerLoss: config.inner_loss });
    state = {
      configHash: hash,
      step: 0,
      params: fresh.params as Map<string, Float32Array>,
      optimizer: newAdamWState(fresh.params),
      stats: fresh.stats,
      early: { best: null, bestStep: 0, sinceBest: 0 },
      trainSeconds: 0,
      stopped: false,
    };
  } else ctx.log?.(`resuming at step ${state.step} of ${config.max_steps}`);
  const run: MetaTrainState = state;
  const net: Hypernetwork = {
    layout,
    params: state.params,
    stats: state.stats,
    innerLoss: config.inner_loss,
  };
  const metricsFile = join(outDir, METRICS_FILE);
  const bestFile = join(outDir, BEST_DIR);
  truncateLog(metricsFile, state.step);
  let logText = existsSync(metricsFile) ? readFileSync(metricsFile, 'utf8') : '';
  const logLine = (record: Record<string, unknown>) => {
    logText += `${JSON.stringify(record)}\n`;
    writeFileAtomic(metricsFile, logText);
  };
  const order = orderFor(config.seed, inputs.train.length);
  const lrFor = (name: string) => (name === EDIT_LRS ? (config.alpha_lr ?? config.lr) : config.lr);
  const validation = inputs.validation.slice(0, config.validation_instances);
  const validate = (): Promise<ValidationResult> =>
    validateHypernet(model, tokenizer, net, validation, {
      outer: config.outer_loss,
      cEdit: config.c_edit,
      cLoc: config.c_loc,
      localityTexts: inputs.localityTexts,
      localityRows: config.locality_rows,
      seed: config.seed,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  const saveBest = (step: number, metrics: ValidationResult) =>
    saveHypernet(bestFile, model, net, {
      method: config.method,
      trainingConfig: config,
      training: { step, validation: metrics, train_seconds: run.trainSeconds },
      force: true,
    });

  let last = { loss: Number.NaN, edit: Number.NaN, loc: Number.NaN };
  while (!state.stopped && state.step < config.max_steps) {
    if (ctx.signal?.aborted) break;
    const started = performance.now();
    const acc = new Map<string, Float64Array>();
    for (const { name, shape } of layout.params)
      acc.set(name, new Float64Array(shape.reduce((a, b) => a * b, 1)));
    let sums = { loss: 0, edit: 0, loc: 0, used: 0 };
    for (let j = 0; j < config.instances_per_step; j++) {
      const it = state.step * config.instances_per_step + j;
      const instance = inputs.train[order(it)] as EditInstance;
      const factors = await captureFactors(
        model,
        net,
        innerExample(model, tokenizer, instance, config.inner_loss),
      );
      const norms = normalizers(net, factors, true);
      const rng = new Rng(`meta-locality:${config.seed}:${it}`);
      const batch = await metaBatch(
        model,
        outerQuestions(model, tokenizer, instance, config.outer_loss),
        localityRows(tokenizer, inputs.localityTexts, instance.entities, config.locality_rows, rng),
      );
      const r = await metaLoss(
        model,
        net,
        factors,
        norms,
        batch,
        { cEdit: config.c_edit, cLoc: config.c_loc },
        true,
      );
      const grads = r.gradients as NonNullable<typeof r.gradients>;
      let finite = Number.isFinite(r.loss);
      for (const g of grads.values()) finite = finite && allFinite(g.data);
      if (!finite) {
        ctx.log?.(`step ${state.step + 1}: instance ${instance.id} gave a non-finite gradient; skipped`);
        continue;
      }
      for (const [name, g] of grads)
        addScaled(acc.get(name) as Float64Array, g.data, config.instances_per_step);
      sums = {
        loss: sums.loss + r.loss,
        edit: sums.edit + r.editLoss,
        loc: sums.loc + r.locLoss,
        used: sums.used + 1,
      };
    }
    const gradNorm = adamStep(state.optimizer, state.params, acc, lrFor, config.clip);
    state.step += 1;
    state.trainSeconds += (performance.now() - started) / 1000;
    const used = Math.max(1, sums.used);
    last = { loss: sums.loss / used, edit: sums.edit / used, loc: sums.loc / used };
    const alphas = state.params.get('edit_lrs') as Float32Array;
    logLine({
      step: state.step,
      kind: 'train',
      loss: last.loss,
      edit_loss: last.edit,
      loc_loss: last.loc,
      grad_norm: gradNorm,
      alpha_mean: alphas.reduce((a, b) => a + b, 0) / alphas.length,
      instances: sums.used,
      train_seconds: state.trainSeconds,
    });
    let validated = false;
    if (state.step % config.validate_every === 0 || state.step === config.max_steps) {
      const v = await validate();
      validated = true;
      const value = config.early_stopping.metric === 'loss' ? v.loss : v[config.early_stopping.metric];
      if (improves(config.early_stopping.metric, value, state.early.best)) {
        state.early = { best: value, bestStep: state.step, sinceBest: 0 };
        saveBest(state.step, v);
      } else state.early = { ...state.early, sinceBest: state.early.sinceBest + 1 };
      if (state.early.sinceBest >= config.early_stopping.patience) state.stopped = true;
      logLine({
        step: state.step,
        kind: 'validation',
        ...v,
        best_step: state.early.bestStep,
        train_seconds: state.trainSeconds,
      });
      ctx.log?.(
        `step ${state.step}: validation efficacy non-verbatim ${v.efficacy_nonverbatim.toFixed(3)}, verbatim ${v.efficacy_verbatim.toFixed(3)}, edit loss ${v.edit_loss.toFixed(3)}, locality KL ${v.loc_loss.toFixed(4)}${state.stopped ? ' (early stop)' : ''}`,
      );
    }
    if (validated || state.step % config.checkpoint_every === 0 || state.stopped)
      saveTrainState(outDir, state);
    ctx.progress?.(state.step, config.max_steps, {
      loss: last.loss.toFixed(3),
      edit: last.edit.toFixed(3),
      loc: last.loc.toFixed(4),
      'steps/s': (1 / ((performance.now() - started) / 1000)).toFixed(2),
    });
  }
  saveTrainState(outDir, state);
  return {
    steps: state.step,
    stoppedEarly: state.stopped,
    best: { step: state.early.bestStep, value: state.early.best },
    trainSeconds: state.trainSeconds,
    bestFile,
    metricsFile,
  };
}

// The two loops below run over every hypernetwork value per instance (1.1M on the shipped model); as functions
// over typed arrays V8 compiles each to one tight loop instead of a generic element access in the step loop.

function allFinite(data: Float32Array | Float64Array): boolean {
  const n = data.length;
  for (let i = 0; i < n; i++) if (!Number.isFinite(data[i] as number)) return false;
  return true;
}

/** a += g / divisor, elementwise (divided, not multiplied by a reciprocal, so sums stay as before). */
function addScaled(a: Float64Array, g: Float32Array | Float64Array, divisor: number): void {
  const n = a.length;
  for (let i = 0; i < n; i++) a[i] = (a[i] as number) + (g[i] as number) / divisor;
}
