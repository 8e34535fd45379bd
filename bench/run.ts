// `npm run bench`: runs every bench/*.bench.ts in its own child process, or only those named on the command
// line (`npm run bench -- check load --json`); the flags after the names go to each benchmark. With --json
// it prints one object {name: result} collected from the benchmarks' own --json output. Owns no measurements.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const benchDir = __dirname;
const SUFFIX = '.bench.ts';

function available(): string[] {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
}

function main(): number {
  const args = process.argv.slice(2);
  // Names come first; everything from the first flag on goes to each benchmark as it is.
  const firstFlag = args.findIndex((a) => a.startsWith('-'));
  const names = firstFlag === -1 ? args : args.slice(0, firstFlag);
  const flags = firstFlag === -1 ? [] : args.slice(firstFlag);
  const json = flags.includes('--json');
  const all = available();
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ')}; available: ${all.join(', ')}\n`,
    );
    return 2;
  }
  const selected = names.length > 0 ? names : all;
  const results: Record<string, unknown> = {};
  let failed = 0;
  for (const name of selected) {
    process.stderr.write(`\n== bench ${name}\n`);
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(benchDir, `${name}${SUFFIX}`), ...flags],
      {
        stdio: ['ignore', json ? 'pipe' : 'inherit', 'inherit'],
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (run.status !== 0) {
      failed++;
      process.stderr.write(`== bench ${name} failed (exit ${run.status ?? run.signal}, ${seconds}s)\n`);
      continue;
    }
    process.stderr.write(`== bench ${name} done (${seconds}s)\n`);
    if (json) {
      const last = run.stdout.trim().split('\n').at(-1) ?? '';
      try {
        results[name] = JSON.parse(last);
      } catch {
        failed++;
        process.stderr.write(`== bench ${name}: --json output is not JSON: ${last.slice(0, 200)}\n`);
      }
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main();
