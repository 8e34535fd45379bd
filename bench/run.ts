// `npm run bench` and `propmend bench`: the benchmark suite, ours side by side with the PyTorch peer. Runs the
// chosen cases (each side in its own child process), prints the table (or `--json`: {"cases": [...]}) on
// stdout, logs on stderr, and writes the full report (machine, versions, every run) to bench-results/.
// Never part of the pass/fail tests. `npm run bench -- NAME [FLAGS]` still runs one of the single benchmarks
// bench/NAME.bench.ts (check, load, capture, train, sidecar) with its own flags.
// Usage: npm run bench -- [--json] [--only NAME[,NAME]] [--reps N] [--warmup N] [--threads N] [--out DIR] [--list]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchCase, CASES, type CaseContext } from './suite/cases';
import {
  type BenchReport,
  type CaseRow,
  formatTable,
  jsonSummary,
  type MachineInfo,
  reportFileName,
} from './suite/harness';
import { REPO_ROOT, runSide, type SideRunner } from './suite/sides';
import type { RunSettings, SideResult } from './suite/spec';

export const USAGE = `Usage: propmend bench [--json] [--only NAME[,NAME]] [--reps N] [--warmup N] [--threads N] [--out DIR] [--list]

Runs the benchmark suite: each case on our runtime and on the PyTorch peer (bench/peer/peer.py under
/usr/bin/python3), each side in its own process, and prints median seconds, ours/peer ratio, peak RSS of
both sides and whether they computed the same numbers. Writes the full report to bench-results/.
Cases: ${CASES.map((c) => c.name).join(', ')}.`;

function positiveInt(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

class UsageError extends Error {
  override name = 'UsageError';
}

/** The cases named by --only (all when absent); an unknown name lists the valid ones. */
export function selectCases(only: string | undefined, all: readonly BenchCase[] = CASES): BenchCase[] {
  if (!only) return [...all];
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length)
    throw new UsageError(
      `unknown case ${unknown.map((n) => `"${n}"`).join(', ')}; valid: ${all.map((c) => c.name).join(', ')}`,
    );
  return all.filter((c) => names.includes(c.name));
}

/** Runs the cases in order; a failing case becomes a failure entry, the others still run. */
export async function runSuite(
  cases: readonly BenchCase[],
  settings: RunSettings,
  run: SideRunner,
  log: (line: string) => void,
): Promise<{ rows: CaseRow[]; raw: BenchReport['raw']; failures: Array<{ name: string; message: string }> }> {
  const rows: CaseRow[] = [];
  const raw: Record<string, { ours: SideResult | null; peer: SideResult | null }> = {};
  const failures: Array<{ name: string; message: string }> = [];
  const ctx: CaseContext = { settings, run, log };
  for (const c of cases) {
    log(`bench ${c.name}: ${c.summary}`);
    const t0 = performance.now();
    try {
      const outcome = await c.run(ctx);
      rows.push(outcome.row);
      raw[c.name] = outcome.raw;
      log(`bench ${c.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      failures.push({ name: c.name, message: (error as Error).message });
      log(`bench ${c.name}: FAILED: ${(error as Error).message}`);
    }
  }
  return { rows, raw, failures };
}

function peerVersions(raw: BenchReport['raw']): Record<string, string> {
  for (const { peer } of Object.values(raw))
    if (peer) return Object.fromEntries(Object.entries(peer.versions).map(([k, v]) => [`peer_${k}`, v]));
  return {};
}

function oursVersions(raw: BenchReport['raw']): Record<string, string> {
  for (const { ours } of Object.values(raw)) if (ours) return { ...ours.versions };
  return { node: process.version };
}

export function machineInfo(versions: Record<string, string>): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_bytes: totalmem(),
    load_average: loadavg().map((x) => Number(x.toFixed(2))),
    platform: `${process.platform} ${process.arch}`,
    versions,
  };
}

const SINGLE_SUFFIX = '.bench.ts';

/** The single benchmarks bench/*.bench.ts by name. */
function singleBenchmarks(): string[] {
  return readdirSync(__dirname)
    .filter((f) => f.endsWith(SINGLE_SUFFIX))
    .map((f) => f.slice(0, -SINGLE_SUFFIX.length))
    .sort();
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-')) {
    const singles = singleBenchmarks();
    if (!singles.includes(first))
      throw new UsageError(
        `unknown benchmark "${first}"; single benchmarks: ${singles.join(', ')} (the suite's cases go after --only)`,
      );
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(__dirname, `${first}${SINGLE_SUFFIX}`), ...argv.slice(1)],
      { cwd: REPO_ROOT, stdio: 'inherit' },
    );
    return run.status ?? 1;
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      reps: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      threads: { type: 'string', default: String(availableParallelism()) },
      out: { type: 'string', default: join(REPO_ROOT, 'bench-results') },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.list) {
    for (const c of CASES) process.stdout.write(`${c.name.padEnd(18)}${c.summary}\n`);
    return 0;
  }
  const cases = selectCases(values.only);
  const settings: RunSettings = {
    threads: positiveInt('threads', values.threads),
    reps: positiveInt('reps', values.reps),
    warmup: positiveInt('warmup', values.warmup, 0),
  };
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
    spawnSync(process.execPath, [join(REPO_ROOT, 'esbuild.js'), '--quiet'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = new Date().toISOString();
  const { rows, raw, failures } = await runSuite(cases, settings, runSide, log);
  const report: BenchReport = {
    created_at: started,
    command: `propmend bench ${argv.join(' ')}`.trim(),
    machine: machineInfo({ ...oursVersions(raw), ...peerVersions(raw) }),
    ...settings,
    cases: rows,
    raw,
    failures,
  };
  const outDir = resolve(values.out);
  mkdirSync(outDir, { recursive: true });
  const file = join(
    outDir,
    reportFileName(
      cases.map((c) => c.name),
      started,
    ),
  );
  writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  log(`bench: report written to ${file}`);
  if (values.json) process.stdout.write(`${JSON.stringify(jsonSummary(report))}\n`);
  else {
    const m = report.machine;
    process.stdout.write(
      `${formatTable(rows)}\n\n${m.cpu}, ${m.cores} cores, ${(m.memory_bytes / 1024 ** 3).toFixed(1)} GiB, load ${m.load_average.join(' ')}; ${settings.threads} threads, median of ${settings.reps} after ${settings.warmup} warm-up\n`,
    );
    for (const f of failures) process.stdout.write(`FAILED ${f.name}: ${f.message}\n`);
  }
  return failures.length ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`bench: ${(error as Error).message}\n`);
      process.exitCode =
        error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
          ? 2
          : 1;
    });
}
