// `propmend bench --only edit-tiny --json --reps 1` end to end (heavy ring: both sides load the shipped
// model; needs /usr/bin/python3 with torch): the JSON row has every documented key, both sides ran and agree,
// and the report lands in the --out folder only. Checks shapes and agreement, never timings.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exited, spawnCli } from '../support/cli-process';

test('propmend bench --only edit-tiny --json prints the documented row and writes one report', async () => {
  const out = mkdtempSync(join(tmpdir(), 'propmend-bench-test-'));
  try {
    const run = await exited(
      spawnCli(['bench', '--only', 'edit-tiny', '--json', '--reps', '1', '--threads', '1', '--out', out]),
    );
    assert.equal(run.code, 0, run.stderr);
    const parsed = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
      cases: Array<Record<string, unknown>>;
    };
    assert.equal(parsed.cases.length, 1);
    const row = parsed.cases[0] as Record<string, unknown>;
    assert.equal(row.name, 'edit-tiny');
    for (const key of ['ours_s', 'peer_s', 'ratio', 'ours_peak_rss_bytes', 'peer_peak_rss_bytes'])
      assert.ok(typeof row[key] === 'number' && (row[key] as number) > 0, `${key} = ${row[key]}`);
    assert.equal(row.agree, true, String(row.notes));
    const files = readdirSync(out);
    assert.equal(files.length, 1);
    const report = JSON.parse(readFileSync(join(out, files[0] as string), 'utf8')) as {
      machine: { cpu: string; cores: number; versions: Record<string, string> };
      raw: Record<string, { ours: { series: object }; peer: { series: object } }>;
    };
    assert.ok(report.machine.cores > 0);
    for (const k of ['node', 'onnxruntime', 'peer_torch', 'peer_blas'])
      assert.ok(report.machine.versions[k], k);
    assert.ok(report.raw['edit-tiny']?.peer.series);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  assert.equal(existsSync(out), false);
});
