// The quick start leaves the checkout as it found it: `propmend demo` (its text output checked here) and
// `propmend world eval` modify no tracked file and write nothing next to the shipped assets; the gate's
// eval.json is written only into a folder the user names, and replaced only with --force.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, test } from 'node:test';
import { runCliCaptured as cli } from '../support/cli';

const root = resolve(__dirname, '..', '..');

/** Path -> SHA-256 of every file under the shipped ground state the demo reads. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(root, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  for (const d of ['assets', 'examples']) walk(join(root, d));
  return out;
}

/** Tracked files git reports as modified, or null outside a git checkout. */
function modifiedTracked(): string[] | null {
  const r = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: root,
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean).sort() : null;
}

const dir = mkdtempSync(join(tmpdir(), 'propmend-ground-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('demo prints its five parts; it and world eval modify no tracked file nor the shipped assets', async () => {
  const before = snapshot();
  const gitBefore = modifiedTracked();
  const r = await cli([
    'demo',
    '--sample',
    '8',
    '--instances',
    '1',
    '--methods',
    'base,propmend',
    '--out',
    join(dir, 'demo'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /== 1\. Checking datasets/);
  assert.match(r.stdout, /examples\/world\.kb\.json\s+kb\s+0 errors/);
  assert.match(r.stdout, /0 errors, 0 warnings in \d+ files/);
  assert.match(r.stdout, /== 2\. The shipped base model .*Llama architecture/);
  assert.match(r.stdout, /on a sample of at most 8 questions per set/);
  assert.match(r.stdout, /quality gate: passed/);
  assert.match(r.stdout, /== 3\. One PropMEND edit with the shipped hypernetwork/);
  assert.match(
    r.stdout,
    /\| non-verbatim \| What language is spoken in the country where Hioltheth Thastas was born\? +\| Vioic +\| \S+ ✗ +\| Vioic ✓ +\|/,
  );
  assert.match(r.stdout, /== 4\. Each method on the first 1 instances of each test split/);
  assert.match(r.stdout, /\| test-ood-both +\| propmend +\| +1 \| +[\d.]+ \[[\d.]+, [\d.]+\] \(\d+\) \|/);
  assert.match(r.stdout, /== 5\. The report\n {2}HTML report: .*report\.html/);
  assert.doesNotMatch(r.stdout, /answering/, 'progress stays on stderr');
  const ev = await cli(['world', 'eval', '--sample', '8', '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.deepEqual(snapshot(), before);
  assert.deepEqual(modifiedTracked(), gitBefore);
});

test('world eval writes eval.json only where asked, and replaces it only with --force', async () => {
  const out = join(dir, 'run');
  const args = ['world', 'eval', '--sample', '8', '--out', out, '--json'];
  const first = await cli(args);
  assert.equal(first.code, 0, first.stderr);
  const written = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
  assert.deepEqual(
    { ...written, environment: undefined, model: undefined, world: undefined, sample: undefined },
    {
      ...JSON.parse(first.stdout),
      environment: undefined,
      model: undefined,
      world: undefined,
      sample: undefined,
    },
  );
  assert.equal(written.sample, 8);
  assert.equal(typeof written.environment.onnxruntime, 'string');
  const again = await cli(args);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /eval\.json already exists; choose another file or pass --force/);
  assert.equal((await cli([...args, '--force'])).code, 0);
  const both = await cli(['world', 'eval', '--out', out, '--write']);
  assert.equal(both.code, 2);
  // The committed file next to the shipped model is replaced only when the maintainer asks with --force.
  const write = await cli(['world', 'eval', '--sample', '8', '--write']);
  assert.equal(write.code, 1);
  assert.match(write.stderr, /--write .*tiny-world\/eval\.json already exists/);
});
