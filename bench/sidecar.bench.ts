// Benchmark: the runtime sidecar over real stdio, as the extension uses it: spawn dist/sidecar.js to the first
// status reply, loadModel of the shipped model, the first edit (graph compilation included) and later edits of
// examples/new-person.edit.json (each after revertAll, so all run on the unedited model), against one
// `propmend edit` of the same spec in a fresh process. Table on stdout, --json for machines, logs on stderr.
// Usage: node --import tsx bench/sidecar.bench.ts [--json] [--reps N] [--threads N]
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ApplyEditRequest, LoadModelRequest, RevertAllRequest, StatusRequest } from '../server/protocol';

const root = join(__dirname, '..');

async function oneSession(threads: number, edits: number) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist', 'sidecar.js')], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const c = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  c.listen();
  await c.sendRequest(StatusRequest, {});
  const startMs = performance.now() - t0;
  let t = performance.now();
  await c.sendRequest(LoadModelRequest, { folder: join(root, 'assets', 'models', 'tiny-world'), threads });
  const loadMs = performance.now() - t;
  const editMs: number[] = [];
  for (let i = 0; i < edits; i++) {
    await c.sendRequest(RevertAllRequest, {});
    t = performance.now();
    await c.sendRequest(ApplyEditRequest, {
      source: { kind: 'spec', file: join(root, 'examples', 'new-person.edit.json') },
    });
    editMs.push(performance.now() - t);
  }
  c.dispose();
  child.stdin.end();
  await new Promise((r) => child.on('exit', r));
  return { startMs, loadMs, editMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean' }, reps: { type: 'string' }, threads: { type: 'string' } },
  });
  const reps = Number(values.reps ?? 2);
  const threads = Number(values.threads ?? 1);
  spawnSync(process.execPath, [join(root, 'esbuild.js'), '--quiet'], { cwd: root, stdio: 'inherit' });
  const sessions = [];
  for (let r = 0; r < reps; r++) {
    process.stderr.write(`session ${r + 1}/${reps}\n`);
    sessions.push(await oneSession(threads, 4));
  }
  const cliStarted = performance.now();
  const cli = spawnSync(
    process.execPath,
    [
      join(root, 'bin', 'propmend.js'),
      'edit',
      join(root, 'examples', 'new-person.edit.json'),
      '--threads',
      String(threads),
    ],
    { cwd: root, stdio: 'ignore' },
  );
  const cliMs = performance.now() - cliStarted;
  if (cli.status !== 0) throw new Error(`propmend edit exited ${cli.status}`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const result = {
    threads,
    sessions: reps,
    start_ms: Math.round(median(sessions.map((s) => s.startMs))),
    load_ms: Math.round(median(sessions.map((s) => s.loadMs))),
    first_edit_ms: Math.round(median(sessions.map((s) => s.editMs[0] as number))),
    later_edit_ms: Math.round(median(sessions.flatMap((s) => s.editMs.slice(1)))),
    cli_edit_ms: Math.round(cliMs),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else
    process.stdout.write(
      `sidecar over stdio (median of ${reps} sessions, ${threads} thread(s)):\n  spawn to first status  ${result.start_ms} ms\n  loadModel              ${result.load_ms} ms\n  first edit             ${result.first_edit_ms} ms\n  later edits            ${result.later_edit_ms} ms\n  propmend edit (CLI)    ${result.cli_edit_ms} ms\n`,
    );
}

void main();
