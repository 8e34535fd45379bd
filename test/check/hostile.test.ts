// Hostile files on disk: FIFOs, devices, links to /dev/zero, link loops and fan-out, a FIFO KB in a parent
// folder, spec paths out of the root, and an unreadable file (checked as user `nobody`, since tests run as
// root). Each case must end quickly with a diagnostic on the bad file, never a hang, a crash or a clean pass.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { buildSync } from 'esbuild';
import { checkPaths } from '../../server/lsp/check/check-paths';
import { CheckSession } from '../../server/lsp/check/session';
import { type FileSource, memorySource } from '../../server/lsp/check/source';
import type { FileReport } from '../../server/lsp/check/types';

const T = { timeout: 20_000 };
const base = mkdtempSync(join(tmpdir(), 'propmend-hostile-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const dir = join(base, `case${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const LINE =
  '{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[]}\n';

function codes(reports: readonly FileReport[], dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of reports) out[r.path.slice(dir.length + 1)] = r.diagnostics.map((d) => d.code);
  return out;
}

test(
  'a FIFO dataset in a checked folder is an unreadable-file error, and its siblings are checked',
  T,
  async () => {
    const dir = fresh();
    execFileSync('mkfifo', [join(dir, 'pipe.ripple.jsonl')]);
    writeFileSync(join(dir, 'ok.ripple.jsonl'), LINE);
    const reports = await checkPaths([dir]);
    assert.deepEqual(codes(reports, dir), {
      'ok.ripple.jsonl': ['no-kb'],
      'pipe.ripple.jsonl': ['unreadable-file'],
    });
    assert.match(reports[1]?.diagnostics[0]?.message ?? '', /is a FIFO \(named pipe\), not a regular file/);
    // Named explicitly, it is still refused (the user may name it; it is still not a regular file).
    const [named] = await checkPaths([join(dir, 'pipe.ripple.jsonl')]);
    assert.deepEqual(
      named?.diagnostics.map((d) => d.code),
      ['unreadable-file'],
    );
  },
);

test('a link to /dev/zero is refused by the walk, and /dev/zero named directly is not read', T, async () => {
  const dir = fresh();
  symlinkSync('/dev/zero', join(dir, 'zero.ripple.jsonl'));
  symlinkSync('/dev/zero', join(dir, 'zero.kb.json'));
  const reports = await checkPaths([dir]);
  assert.deepEqual(codes(reports, dir), {
    'zero.kb.json': ['unreadable-file'],
    'zero.ripple.jsonl': ['unreadable-file'],
  });
  assert.match(reports[0]?.diagnostics[0]?.message ?? '', /symbolic link to a path outside/);
  const [direct] = await checkPaths(['/dev/zero'], { kind: 'ripple' });
  assert.match(direct?.diagnostics[0]?.message ?? '', /character device/);
});

test('link loops and fan-out (a/up1 -> .., a/up2 -> ..) visit each file once and end', T, async () => {
  const dir = fresh();
  mkdirSync(join(dir, 'L/a'), { recursive: true });
  writeFileSync(join(dir, 'L/a/x.ripple.jsonl'), LINE);
  writeFileSync(join(dir, 'L/y.ripple.jsonl'), LINE);
  symlinkSync('..', join(dir, 'L/a/up1'));
  symlinkSync('..', join(dir, 'L/a/up2'));
  symlinkSync('../..', join(dir, 'L/a/up3'));
  symlinkSync('loop2.ripple.jsonl', join(dir, 'L/loop1.ripple.jsonl'));
  symlinkSync('loop1.ripple.jsonl', join(dir, 'L/loop2.ripple.jsonl'));
  const reports = await checkPaths([dir]);
  assert.deepEqual(Object.keys(codes(reports, dir)), ['L/a/x.ripple.jsonl', 'L/y.ripple.jsonl']);
});

test('a FIFO KB in a parent folder and a spec naming a FIFO or /dev/zero hang nothing', T, async () => {
  const dir = fresh();
  execFileSync('mkfifo', [join(dir, 'parent.kb.json')]);
  execFileSync('mkfifo', [join(dir, 'ds-pipe.kb.json')]);
  mkdirSync(join(dir, 'ds'));
  writeFileSync(join(dir, 'ds/x.ripple.jsonl'), LINE);
  const spec = (kb: string) =>
    JSON.stringify({
      model: 'm',
      kb,
      layers: [1],
      fact: 'Zed was born.',
      subject: 'Zed',
      propagation: [{ question: 'q', answer: 'a' }],
    });
  writeFileSync(join(dir, 'ds/a.edit.json'), spec('../ds-pipe.kb.json'));
  writeFileSync(join(dir, 'ds/b.edit.json'), spec('/dev/zero'));
  const reports = await checkPaths([join(dir, 'ds')], { roots: [dir] });
  const byName = Object.fromEntries(reports.map((r) => [r.path.slice(dir.length + 4), r.diagnostics]));
  assert.ok(
    byName['x.ripple.jsonl']?.some((d) => d.code === 'no-kb' && /parent\.kb\.json is a FIFO/.test(d.message)),
  );
  assert.ok(
    byName['a.edit.json']?.some((d) => d.code === 'no-kb' && /ds-pipe\.kb\.json is a FIFO/.test(d.message)),
  );
  assert.ok(byName['b.edit.json']?.some((d) => d.code === 'outside-root'));
});

test('a file user nobody cannot read is an error, not a clean pass', T, async (t) => {
  const dir = fresh();
  chmodSync(base, 0o755);
  chmodSync(dir, 0o755);
  const file = join(dir, 'secret.ripple.jsonl');
  writeFileSync(file, LINE);
  chmodSync(file, 0o000);
  // The checker runs as nobody from a bundle in the 0755 temp folder: the checkout itself may sit below a
  // folder nobody cannot enter (a clone into \`mktemp -d\` is 0700), and only the file is meant to be unreadable.
  const bundle = join(base, 'checker.cjs');
  buildSync({
    entryPoints: [resolve(__dirname, '../../server/lsp/check/check-paths.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  chmodSync(bundle, 0o644);
  const script = `require(${JSON.stringify(bundle)}).checkPaths([${JSON.stringify(file)}]).then((reports) => {
    process.stdout.write(JSON.stringify(reports[0].diagnostics));
  });`;
  const run = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script],
    { cwd: base, encoding: 'utf8', timeout: 15_000 },
  );
  if (run.error || (run.status !== 0 && /setpriv/.test(run.stderr))) {
    t.diagnostic(`setpriv could not drop to nobody: ${run.error?.message ?? run.stderr}`);
    assert.fail('cannot drop privileges to test an unreadable file');
  }
  assert.equal(run.status, 0, run.stderr);
  const diagnostics = JSON.parse(run.stdout) as Array<{ code: string; severity: string; message: string }>;
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity]),
    [['unreadable-file', 'error']],
  );
  assert.match(diagnostics[0]?.message ?? '', /cannot be read \(EACCES\)/);
});

test('a checker failure on one file is an internal-error on that file; its siblings keep their diagnostics', async () => {
  const files = new Map([
    ['/ws/d/bad.ripple.jsonl', LINE],
    ['/ws/d/good.ripple.jsonl', LINE.replace('"a"', '"b"')],
  ]);
  const inner = memorySource(files);
  // Fault injection: every read of bad.ripple.jsonl's lines through the rules throws.
  const source: FileSource = {
    ...inner,
    readText: (p) => (p.endsWith('bad.ripple.jsonl') ? `${'{"id":"x"}\n'.repeat(3)}` : inner.readText(p)),
    read: (p) => {
      if (p.endsWith('bad.ripple.jsonl')) throw new RangeError('Maximum call stack size exceeded');
      return inner.read(p);
    },
  };
  const session = new CheckSession({ source, root: '/ws' });
  const bad = await session.check('/ws/d/bad.ripple.jsonl');
  assert.deepEqual(
    bad.diagnostics.map((d) => d.code),
    ['internal-error'],
  );
  assert.match(bad.diagnostics[0]?.message ?? '', /RangeError: Maximum call stack/);
  const good = await session.check('/ws/d/good.ripple.jsonl');
  assert.deepEqual(
    good.diagnostics.map((d) => d.code),
    ['no-kb'],
  );
});
