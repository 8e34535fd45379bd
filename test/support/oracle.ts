// Test helper: runs the PyTorch oracle (test/parity/reference.py) and reads its safetensors output.
// A missing torch fails under CI and is a visible skip elsewhere. Test support only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { readAllFloat } from '../../server/runtime/load/reader';

export const PYTHON = '/usr/bin/python3';
export const ORACLE_SCRIPT = join(__dirname, '..', 'parity', 'reference.py');

// find_spec locates the packages without importing them: importing torch costs about 2 CPU-seconds, paid once
// per oracle process instead of once more per test process.
const probe = spawnSync(
  PYTHON,
  [
    '-c',
    'import importlib.util, sys\nmissing = [m for m in ("torch", "numpy") if importlib.util.find_spec(m) is None]\nif missing: sys.exit("No module named " + ", ".join(missing))',
  ],
  { encoding: 'utf8' },
);
const torchMissing = probe.status !== 0 ? (probe.stderr || String(probe.error)).trim() : null;

/** True when torch is importable; under CI a missing torch fails the test, elsewhere it is reported as skipped. */
export function torchAvailable(t: TestContext): boolean {
  if (torchMissing === null) return true;
  const why = `PyTorch is not importable by ${PYTHON} (${torchMissing.split('\n').pop()}); install it with: apt-get install python3-torch`;
  if (process.env.CI) assert.fail(why);
  t.diagnostic(`skipped: ${why}`);
  return false;
}

export interface OracleRun {
  readonly loss: number;
  readonly fd: Record<string, number>;
  readonly out: Map<string, { shape: number[]; data: Float64Array }>;
}

export interface OracleJob {
  readonly dir: string;
  readonly ids: readonly number[];
  readonly outFile: string;
  readonly extra?: readonly string[];
}

/** Runs several oracle jobs in one Python process (torch imported once); results in job order. */
export function runOracleMany(jobs: readonly OracleJob[], jobsFile: string): OracleRun[] {
  writeFileSync(
    jobsFile,
    JSON.stringify(
      jobs.map((j) => [j.dir, '--ids', j.ids.join(','), '--out', j.outFile, ...(j.extra ?? [])]),
    ),
  );
  const r = spawnSync(PYTHON, [ORACLE_SCRIPT, '--many', jobsFile], { encoding: 'utf8' });
  assert.equal(r.status, 0, `reference.py failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(
    lines.length,
    jobs.length,
    `reference.py printed ${lines.length} results for ${jobs.length} jobs`,
  );
  return jobs.map((job, i) => {
    const parsed = JSON.parse(lines[i] as string) as { loss: number; fd: Record<string, number> };
    const tensors = readAllFloat(job.outFile, 'float64').tensors as Map<
      string,
      { shape: number[]; data: Float64Array }
    >;
    return { ...parsed, out: tensors };
  });
}

/** Runs the oracle on `dir` for token `ids`, writing its output to `outFile`. */
export function runOracle(
  dir: string,
  ids: readonly number[],
  outFile: string,
  extra: readonly string[] = [],
): OracleRun {
  const r = spawnSync(PYTHON, [ORACLE_SCRIPT, dir, '--ids', ids.join(','), '--out', outFile, ...extra], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `reference.py failed: ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as { loss: number; fd: Record<string, number> };
  const tensors = readAllFloat(outFile, 'float64').tensors as Map<
    string,
    { shape: number[]; data: Float64Array }
  >;
  return { ...parsed, out: tensors };
}
