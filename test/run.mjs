// The test command (`npm test`): type-check, lint, build every bundle, then run the test rings.
// Rings: the default ring is every test/**/*.test.ts outside test/heavy/ (kept under a minute of test time);
// PROPMEND_HEAVY=1 adds test/heavy/ (full-size runs). Naming test/heavy as a target runs it alone.
// Usage: node test/run.mjs [--quick] [--isolate] [FILE_OR_DIR...]   (--quick skips type-check, lint and build;
// --isolate runs each test file in its own process)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const targets = args.filter((a) => !a.startsWith('--'));
const heavy = process.env.PROPMEND_HEAVY === '1';

function step(name, command, commandArgs) {
  const started = Date.now();
  process.stderr.write(`\n== ${name}\n`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stderr.write(`== ${name} failed (exit ${result.status}, ${seconds}s)\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`== ${name} ok (${seconds}s)\n`);
}

function collect(path, out) {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'fixtures' || entry === 'node_modules') continue;
      if (entry === 'heavy' && !heavy && !targets.length) continue;
      collect(join(path, entry), out);
    }
  } else if (path.endsWith('.test.ts')) {
    out.push(relative(root, path));
  }
  return out;
}

if (!quick) {
  step('check-types', process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'),
    '--noEmit',
    '-p',
    root,
  ]);
  step('lint', join(root, 'node_modules/.bin/biome'), ['check', '.']);
  step('build', process.execPath, [join(root, 'esbuild.js')]);
}
const files = (targets.length ? targets : ['test']).flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  process.stderr.write('no test files found\n');
  process.exit(1);
}
// One test process per folder, not per file: each `node --import tsx` process costs about half a CPU-second
// before its first test (loader, transpiled imports, native bindings), which for sixty files was a third of
// the ring's time. A folder's files are imported by one generated entry and run in order in that process;
// tests that need a clean process start their own child (the CLI, signal and language-server tests do).
// --isolate runs every file in its own process again.
function groupEntries(list) {
  if (args.includes('--isolate')) return list;
  const groupDir = join(root, '.cache', 'test-groups');
  rmSync(groupDir, { recursive: true, force: true });
  mkdirSync(groupDir, { recursive: true });
  const byFolder = new Map();
  for (const f of list) byFolder.set(dirname(f), [...(byFolder.get(dirname(f)) ?? []), f]);
  return [...byFolder].map(([folder, members]) => {
    if (members.length === 1) return members[0];
    const entry = join(groupDir, `${folder.replaceAll('/', '_')}.test.mjs`);
    writeFileSync(entry, members.map((m) => `import ${JSON.stringify(join(root, m))};\n`).join(''));
    return relative(root, entry);
  });
}
const entries = groupEntries(files);
step(
  `tests (${files.length} files in ${entries.length} processes${heavy ? ', heavy ring included' : ''})`,
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...entries],
);
