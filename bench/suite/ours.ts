// The "ours" side of the benchmark suite: run in its own child process (so its peak RSS is its own) with a
// case spec file (spec.ts), it loads the model through our runtime, runs the case's warm-up and timed
// repetitions, and prints one JSON line (SideResult). Measures only; product code is called, never changed.
// Usage: node --import tsx bench/suite/ours.ts SPEC.json
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { onnxruntimeVersion } from '../../server/runtime/backend/ort';
import { computeEdit } from '../../server/runtime/edit/edit';
import { loadHypernet } from '../../server/runtime/edit/hypernet-checkpoint';
import { floatTensor } from '../../server/runtime/ir/dtype';
import { Graph } from '../../server/runtime/ir/graph';
import type { Runtime } from '../../server/runtime/session/runtime';
import { nextTokenTargets, padLeft } from '../../server/runtime/tasks/batch';
import { generateGreedy } from '../../server/runtime/tasks/generate';
import { gradientBuffers, lossGradients } from '../../server/runtime/tasks/objectives';
import { createHypernet, loadModel, repeat, type Series, seconds } from './ours-common';
import { runMetaTrain } from './ours-metatrain';
import type { EditSpec, ForwardBackwardSpec, SideResult, SideSpec } from './spec';

/** ||d^T u||_F of one low-rank factor pair without forming the matrix: sum of (u u^T) .* (d d^T). */
function lowRankFrobenius(u: ArrayLike<number>, d: ArrayLike<number>, rows: number): number {
  const dIn = u.length / rows;
  const dOut = d.length / rows;
  let sum = 0;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < rows; j++) {
      let uu = 0;
      for (let k = 0; k < dIn; k++) uu += (u[i * dIn + k] as number) * (u[j * dIn + k] as number);
      let dd = 0;
      for (let k = 0; k < dOut; k++) dd += (d[i * dOut + k] as number) * (d[j * dOut + k] as number);
      sum += uu * dd;
    }
  return Math.sqrt(sum);
}

async function editCase(spec: EditSpec): Promise<Omit<SideResult, 'side' | 'versions' | 'peak_rss_bytes'>> {
  const { model, runtime, load_s } = loadModel(spec.model, spec.threads);
  await createHypernet(spec.hypernet, spec.createHypernet, spec.fact, model);
  const t0 = performance.now();
  const { net } = loadHypernet(spec.hypernet, model);
  const hypernetLoad = seconds(t0);
  const inner = { rows: [spec.fact], scoredFrom: [1] };
  let check: SideResult['check'] = {};
  const series = await repeat(spec, async () => {
    const start = performance.now();
    const r = await computeEdit(model, net, inner);
    const t1 = performance.now();
    const answers = await generateGreedy(model, spec.questions, {
      maxNewTokens: spec.maxNewTokens,
      batchSize: spec.questions.length,
      edit: r.edit,
    });
    const answer = seconds(t1);
    const first = net.layout.spec.targets[0] as string;
    const f = r.edit.get(first);
    check = {
      inner_loss: r.innerLoss,
      rows: r.rows,
      first_target: first,
      first_target_update_fro: f ? lowRankFrobenius(f.u.data, f.d.data, r.rows) : Number.NaN,
      first_answer_ids: answers[0]?.ids ?? [],
      answers_ids: answers.map((a) => a.ids.join(' ')).join(' | '),
    };
    return {
      edit: seconds(start),
      capture: r.timingsMs.capture / 1000,
      transform: r.timingsMs.transform / 1000,
      answer,
    };
  });
  await runtime.dispose();
  return { series, load_s: load_s + hypernetLoad, check };
}

/**
 * Seconds of one [m,k] x [k,n] MatMul graph on the same runtime (the machine's GEMM peak through MLAS). Only
 * one element of the product leaves the graph, so the time is the kernel's, not the copy of C into a fresh
 * JavaScript buffer (32 MiB a run: with it the "peak" read 10-50% lower).
 */
async function gemmPeak(runtime: Runtime, [m, k, n]: readonly [number, number, number], reps: number) {
  const g = new Graph('gemm_peak');
  const a = g.input('a', 'float32', [m, k]);
  const b = g.input('b', 'float32', [k, n]);
  g.output('c', a.matmul(b).slice(0, 0, 1).slice(1, 0, 1));
  const compiled = await runtime.compile(g);
  const fill = (size: number) => {
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
    return data;
  };
  const feeds = {
    a: floatTensor('float32', [m, k], fill(m * k)),
    b: floatTensor('float32', [k, n], fill(k * n)),
  };
  const times: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const t0 = performance.now();
    await compiled.run(feeds);
    if (i >= 2) times.push(seconds(t0));
  }
  return times;
}

async function forwardBackwardCase(
  spec: ForwardBackwardSpec,
): Promise<Omit<SideResult, 'side' | 'versions' | 'peak_rss_bytes'>> {
  const { model, runtime, load_s } = loadModel(spec.model, spec.threads);
  const names = [...model.weights.keys()];
  const check: Record<string, number> = {};
  const series: Series = {};
  const into = gradientBuffers(model, names); // as a training loop keeps them from step to step
  for (const [shape, rows] of Object.entries(spec.batches)) {
    const batch = padLeft(rows, model.tokens.pad);
    const targets = nextTokenTargets(model.dtype, batch);
    const s = await repeat(spec, async () => {
      const t0 = performance.now();
      const r = await lossGradients(model, batch, targets, names, { into });
      const took = seconds(t0);
      check[`loss_${shape}`] = r.loss;
      return { [shape]: took };
    });
    Object.assign(series, s);
  }
  const extra: Record<string, unknown> = {};
  if (spec.gemm) {
    series.gemm = { warmup_s: [], runs_s: await gemmPeak(runtime, spec.gemm, Math.max(9, spec.reps)) };
    extra.gemm_shape = spec.gemm;
  }
  await runtime.dispose();
  return { series, load_s, check, extra };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: ours.ts SPEC.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as SideSpec;
  const result =
    spec.kind === 'edit'
      ? await editCase(spec)
      : spec.kind === 'forward-backward'
        ? await forwardBackwardCase(spec)
        : await runMetaTrain(spec);
  const out: SideResult = {
    side: 'ours',
    ...result,
    peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
    versions: {
      node: process.version,
      onnxruntime: onnxruntimeVersion(),
      blas: 'onnxruntime MLAS (built in)',
      cpu: cpus()[0]?.model ?? 'unknown',
      glibc_tunables: process.env.GLIBC_TUNABLES ?? '',
    },
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench ours: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  });
}
