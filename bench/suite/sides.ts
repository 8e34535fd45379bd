// Runs one side of a case in its own child process: ours (node --import tsx bench/suite/ours.ts) or the
// PyTorch peer (/usr/bin/python3 bench/peer/peer.py), with the case spec in a temp JSON file, optionally under
// `flock LOCK` (PROPMEND_BENCH_LOCK) for runs that load the 1B-shaped checkpoint, and parses its one JSON line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withMemoryTuning } from '../../server/common/memory-env';
import type { SideResult, SideSpec } from './spec';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** The peer's interpreter: Debian's python3 with python3-torch (override with PROPMEND_BENCH_PYTHON). */
export const PEER_PYTHON = process.env.PROPMEND_BENCH_PYTHON ?? '/usr/bin/python3';
export const PEER_SCRIPT = join(REPO_ROOT, 'bench', 'peer', 'peer.py');
export const OURS_SCRIPT = join(REPO_ROOT, 'bench', 'suite', 'ours.ts');

export type Side = 'ours' | 'peer';
export type SideRunner = (side: Side, spec: SideSpec, options: { big: boolean }) => Promise<SideResult>;

export class SideError extends Error {
  override name = 'SideError';
}

/** The command line of one side (before any flock wrapper). */
export function sideCommand(side: Side, specFile: string): string[] {
  return side === 'ours'
    ? [process.execPath, '--import', 'tsx', OURS_SCRIPT, specFile]
    : [PEER_PYTHON, PEER_SCRIPT, specFile];
}

/** Spawns the side, relays its stderr, and returns its last stdout line as a SideResult. */
export const runSide: SideRunner = async (side, spec, { big }) => {
  const dir = mkdtempSync(join(tmpdir(), 'propmend-bench-'));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const lock = process.env.PROPMEND_BENCH_LOCK;
  const argv = sideCommand(side, file);
  const full = big && lock ? ['flock', lock, ...argv] : argv;
  try {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((done, fail) => {
      const child = spawn(full[0] as string, full.slice(1), {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Both sides get the same process environment, malloc tuning included (server/common/memory-env.ts).
        env: { ...withMemoryTuning(process.env), OMP_NUM_THREADS: String(spec.threads) },
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        if (err.length > 1 << 20) err = err.slice(-(1 << 19));
      });
      child.on('error', fail);
      child.on('close', (c) => done({ code: c, stdout: out, stderr: err }));
    });
    if (code !== 0) {
      const tail = stderr.trim().split('\n').slice(-8).join('\n');
      throw new SideError(`${side} side of ${spec.kind} exited ${code}:\n${tail}`);
    }
    const last = stdout.trim().split('\n').at(-1) ?? '';
    try {
      return JSON.parse(last) as SideResult;
    } catch {
      throw new SideError(`${side} side of ${spec.kind} printed no JSON result: ${last.slice(0, 200)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
