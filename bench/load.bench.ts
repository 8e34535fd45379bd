// Benchmark: load time and peak memory of a Llama-3.2-1B-shaped random checkpoint read into float32 weights.
// Generates the checkpoint with make-llama-1b.ts when missing (reported separately), then loads it in fresh
// child processes so each peak RSS belongs to one load only. Table on stdout, --json for machines, logs on stderr.
// Usage: node --import tsx bench/load.bench.ts [--json] [--reps N] [--dtype bf16|f16|f32] [--shards N] [--dir DIR]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Progress } from '../server/common/progress';
import { loadCheckpoint } from '../server/runtime/models/checkpoint';
import { DTYPE_FLAGS, type DtypeFlag, defaultLlama1BDir, makeLlama1B } from './make-llama-1b';

interface ChildResult {
  readonly seconds: number;
  readonly rssBeforeBytes: number;
  readonly peakRssBytes: number;
  readonly params: number;
  readonly weightBytes: number;
  readonly tensors: number;
}

/** Runs in the child: one load, measured. */
function child(dir: string): void {
  const rssBeforeBytes = process.memoryUsage().rss;
  let progress: Progress | null = null;
  const started = performance.now();
  const ckpt = loadCheckpoint(dir, {
    onProgress: (p) => {
      progress ??= new Progress('loading (MB)', Math.round(p.bytesTotal / 1e6));
      progress.update(Math.round(p.bytesDone / 1e6), { tensor: p.tensor });
    },
  });
  const seconds = (performance.now() - started) / 1000;
  (progress as Progress | null)?.finish();
  let params = 0;
  let weightBytes = 0;
  for (const w of ckpt.weights.values()) {
    params += w.data.length;
    weightBytes += w.data.byteLength;
  }
  const result: ChildResult = {
    seconds,
    rssBeforeBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    params,
    weightBytes,
    tensors: ckpt.weights.size,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Size and count of the folder's safetensors files and its stored dtype, whatever flags were given. */
function describeFolder(dir: string): { bytes: number; files: number; dtype: string } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { torch_dtype?: string };
  return {
    bytes: files.reduce((s, f) => s + statSync(join(dir, f)).size, 0),
    files: files.length,
    dtype: config.torch_dtype ?? 'unknown dtype',
  };
}

const GB = 1e9;
const GIB = 1024 ** 3;

function main(): void {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      reps: { type: 'string', default: '3' },
      dtype: { type: 'string', default: 'bf16' },
      shards: { type: 'string', default: '1' },
      dir: { type: 'string' },
      child: { type: 'string' },
    },
  });
  if (values.child) {
    child(values.child);
    return;
  }
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1)
    throw new Error(`--reps must be a positive integer, got ${values.reps}`);
  const dtype = values.dtype as DtypeFlag;
  if (!(dtype in DTYPE_FLAGS))
    throw new Error(`--dtype must be one of ${Object.keys(DTYPE_FLAGS).join(', ')}, got ${values.dtype}`);
  const shards = Number(values.shards);

  let dir = values.dir;
  let generation: { seconds: number; created: boolean } = { seconds: 0, created: false };
  if (!dir) {
    const base = defaultLlama1BDir(dtype);
    const out = shards > 1 ? `${base}-${shards}shards` : base;
    const made = makeLlama1B({ out, dtype, shards });
    dir = made.dir;
    generation = made;
    if (made.created) process.stderr.write(`generated ${dir} in ${made.seconds.toFixed(1)} s\n`);
  }

  const runs: ChildResult[] = [];
  for (let i = 0; i < reps; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`load run ${i + 1} failed (exit ${r.status})`);
    const run = JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildResult;
    process.stderr.write(
      `run ${i + 1}/${reps}: ${run.seconds.toFixed(2)} s, peak RSS ${(run.peakRssBytes / GIB).toFixed(2)} GiB\n`,
    );
    runs.push(run);
  }
  // The first load of an invocation pays for memory the VM host has to hand back (page faults on fresh pages
  // cost about twice as much); it is reported apart from the later, warm runs.
  const cold = (runs[0] as ChildResult).seconds;
  const warm = runs.slice(1).map((r) => r.seconds);
  const times = (warm.length ? warm : [cold]).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  const folder = describeFolder(dir);
  const fileBytes = folder.bytes;
  const first = runs[0] as ChildResult;
  const peak = Math.max(...runs.map((r) => r.peakRssBytes));
  const summary = {
    bench: 'load',
    case: `${values.dir ? 'checkpoint' : 'llama-1b-shaped'} ${folder.dtype} -> float32`,
    dir,
    shards: folder.files,
    fileBytes,
    params: first.params,
    tensors: first.tensors,
    weightBytes: first.weightBytes,
    reps,
    loadSeconds: { first: cold, warmMin: times[0], warmMedian: median, warmMax: times.at(-1) },
    readGBps: fileBytes / GB / median,
    peakRssBytes: peak,
    baselineRssBytes: first.rssBeforeBytes,
    generationSeconds: generation.created ? generation.seconds : null,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const rows: Array<[string, string]> = [
    ['case', summary.case],
    ['files', `${(fileBytes / GB).toFixed(2)} GB in ${folder.files} safetensors file(s)`],
    [
      'parameters',
      `${(first.params / 1e9).toFixed(3)} G in ${first.tensors} tensors (tied lm_head not stored)`,
    ],
    ['weights in memory', `${(first.weightBytes / GIB).toFixed(2)} GiB float32`],
    [
      'load time',
      `first ${cold.toFixed(2)} s; then min ${times[0]?.toFixed(2)} s, median ${median.toFixed(2)} s over ${warm.length} runs`,
    ],
    ['throughput', `${summary.readGBps.toFixed(2)} GB/s of checkpoint (warm median)`],
    [
      'peak RSS',
      `${(peak / GIB).toFixed(2)} GiB (process baseline ${(first.rssBeforeBytes / GIB).toFixed(2)} GiB)`,
    ],
  ];
  if (generation.created) rows.push(['generation', `${generation.seconds.toFixed(1)} s (first run only)`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`load.bench: ${(error as Error).message}\n`);
  process.exit(1);
}
