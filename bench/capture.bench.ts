// Benchmark: PropMEND's capture on a Llama-3.2-1B-shaped random checkpoint: per-token u and delta of the MLP
// linears of layers 4-15 for the CLM loss of a 32-token text. Runs in a fresh child process so the peak RSS
// is that of one load plus capture; reports load time, the first capture (graph build, emission, session
// compile) and warm captures. Table on stdout, --json for machines, logs on stderr.
// Usage: node --import tsx bench/capture.bench.ts [--json] [--reps N] [--threads N] [--dir DIR]
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadLanguageModel } from '../server/runtime/models/load';
import { mlpLinearName } from '../server/runtime/models/transformer';
import { Runtime } from '../server/runtime/session/runtime';
import { nextTokenTargets, padLeft } from '../server/runtime/tasks/batch';
import { capture } from '../server/runtime/tasks/objectives';
import { defaultLlama1BDir, makeLlama1B } from './make-llama-1b';

const LAYERS = Array.from({ length: 12 }, (_, i) => i + 4);
const TOKENS = 32;

interface ChildResult {
  readonly loadSeconds: number;
  readonly captureSeconds: number[];
  readonly rows: number;
  readonly linears: number;
  readonly loss: number;
  readonly peakRssBytes: number;
  readonly weightBytes: number;
}

async function child(dir: string, reps: number, threads: number): Promise<void> {
  const runtime = new Runtime({ threads });
  const started = performance.now();
  const model = loadLanguageModel(dir, { runtime });
  const loadSeconds = (performance.now() - started) / 1000;
  // Deterministic ids spread over the vocabulary, BOS first: realistic gather and head shapes.
  const ids = [
    model.tokens.bos ?? 1,
    ...Array.from({ length: TOKENS - 1 }, (_, i) => (i * 7919 + 13) % model.config.vocabSize),
  ];
  const batch = padLeft([ids], model.tokens.pad);
  const targets = nextTokenTargets(model.dtype, batch);
  const linears = LAYERS.flatMap((l) =>
    (['gate_proj', 'up_proj', 'down_proj'] as const).map((m) => mlpLinearName(l, m)),
  );
  const captureSeconds: number[] = [];
  let rows = 0;
  let loss = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const result = await capture(model, batch, targets, linears);
    captureSeconds.push((performance.now() - t0) / 1000);
    rows = result.rows.length;
    loss = result.loss;
  }
  let weightBytes = 0;
  for (const w of model.weights.values()) weightBytes += w.data.byteLength;
  await runtime.dispose();
  const result: ChildResult = {
    loadSeconds,
    captureSeconds,
    rows,
    linears: linears.length,
    loss,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    weightBytes,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const GIB = 1024 ** 3;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      reps: { type: 'string', default: '3' },
      threads: { type: 'string', default: String(availableParallelism()) },
      dir: { type: 'string' },
      child: { type: 'string' },
    },
  });
  const reps = Number(values.reps);
  const threads = Number(values.threads);
  if (!Number.isInteger(reps) || reps < 1)
    throw new Error(`--reps must be a positive integer, got ${values.reps}`);
  if (values.child) {
    await child(values.child, reps, threads);
    return;
  }
  let dir = values.dir;
  if (!dir) {
    const made = makeLlama1B({ out: defaultLlama1BDir('bf16'), dtype: 'bf16', shards: 1 });
    dir = made.dir;
    if (made.created) process.stderr.write(`generated ${dir} in ${made.seconds.toFixed(1)} s\n`);
  }
  process.stderr.write(
    `capture on ${dir}: layers 4-15, ${TOKENS} tokens, ${reps} captures, ${threads} threads\n`,
  );
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', __filename, '--child', dir, '--reps', String(reps), '--threads', String(threads)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) throw new Error(`capture run failed (exit ${r.status})`);
  const run = JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildResult;
  const warm = run.captureSeconds.slice(1).sort((a, b) => a - b);
  const summary = {
    bench: 'capture',
    case: 'llama-1b-shaped bf16 -> float32, MLP layers 4-15, 32 tokens',
    dir,
    threads,
    loadSeconds: run.loadSeconds,
    firstCaptureSeconds: run.captureSeconds[0],
    warmCaptureSecondsMedian: warm.length ? warm[Math.floor(warm.length / 2)] : null,
    linears: run.linears,
    rows: run.rows,
    loss: run.loss,
    weightBytes: run.weightBytes,
    peakRssBytes: run.peakRssBytes,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const rows: Array<[string, string]> = [
    ['case', summary.case],
    ['threads', String(threads)],
    ['load (safetensors -> f32)', `${run.loadSeconds.toFixed(2)} s`],
    ['first capture (build + compile + run)', `${(summary.firstCaptureSeconds ?? 0).toFixed(2)} s`],
    [
      'warm capture (median)',
      warm.length ? `${(warm[Math.floor(warm.length / 2)] as number).toFixed(2)} s` : 'n/a (--reps 1)',
    ],
    ['captured', `${run.linears} linears x ${run.rows} rows`],
    ['weights in memory', `${(run.weightBytes / GIB).toFixed(2)} GiB`],
    ['peak RSS', `${(run.peakRssBytes / GIB).toFixed(2)} GiB`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

main().catch((error) => {
  process.stderr.write(`capture bench: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
