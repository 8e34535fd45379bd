// Test helper: runs the PyTorch oracle (test/parity/reference.py) and reads its safetensors output.
// A missing torch fails under CI and is a visible skip elsewhere. Test support only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { readAllFloat } from '../../server/runtime/load/reader';

export const PYTHON = '/usr/bin/python3';
export const ORACLE_SCRIPT = join(__dirname, '..', 'parity', 'reference.py');

const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
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
