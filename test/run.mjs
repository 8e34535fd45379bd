// The test command (`npm test`): type-check, lint, build every bundle, then run the test rings.
// Rings: the default ring is every test/**/*.test.ts outside test/heavy/ (kept under a minute of test time);
// PROPMEND_HEAVY=1 adds test/heavy/ (full-size runs). Naming test/heavy as a target runs it alone.
// Usage: node test/run.mjs [--quick] [FILE_OR_DIR...]   (--quick skips type-check, lint and build)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

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
step(`tests (${files.length} files${heavy ? ', heavy ring included' : ''})`, process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=2',
  ...files,
]);
