// Signals end any command, with real processes: SIGTERM stops a pretraining run within the watchdog's time
// and leaves a checkpoint the next run resumes; a second signal exits at once; and under the launcher's
// supervisor even a process stuck in synchronous work (deaf to signals) is ended.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CANCELLED_EXIT, STOP_WITHIN_MS } from '../../server/cli/signals';
import { withMemoryTuning } from '../../server/common/memory-env';
import { runCliCaptured } from '../support/cli';
import { exited, spawnNode, spawnSupervisedCli, until } from '../support/cli-process';
import { writeToyWorld } from '../support/toy-world';

/** Generous bound over STOP_WITHIN_MS for process teardown on a loaded machine. */
const ENDS_WITHIN_MS = STOP_WITHIN_MS + 2000;
const START_TIMEOUT_MS = 60_000;

describe('signals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'propmend-signals-'));
  const world = join(dir, 'world');
  before(() => writeToyWorld(world));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const pretrainArgs = (out: string) => [
    'pretrain',
    '--world',
    world,
    '--out',
    out,
    '--recipe',
    'smoke',
    '--max-steps',
    '60',
    '--threads',
    '1',
  ];

  test('SIGTERM stops a pretraining run soon, with a checkpoint the same command resumes', async () => {
    const out = join(dir, 'term');
    const child = spawnSupervisedCli(pretrainArgs(out));
    const status = exited(child);
    const checkpoint = join(`${out}.training`, 'checkpoint', 'state.json');
    await until(() => existsSync(checkpoint), START_TIMEOUT_MS, 'the first checkpoint');
    const sent = Date.now();
    child.kill('SIGTERM');
    const r = await status;
    const took = Date.now() - sent;
    assert.equal(r.code, CANCELLED_EXIT, r.stderr);
    assert.ok(took < ENDS_WITHIN_MS, `ended ${took} ms after SIGTERM`);
    assert.match(r.stderr, /training cancelled at step (\d+).*run the same command to resume/);
    const stoppedAt = Number(/cancelled at step (\d+)/.exec(r.stderr)?.[1]);
    assert.equal(JSON.parse(readFileSync(checkpoint, 'utf8')).step, stoppedAt);
    assert.ok(!existsSync(out));
    const resumed = await runCliCaptured(pretrainArgs(out));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`resuming from the checkpoint at step ${stoppedAt}`));
  });

  /** A process with the CLI's signal handling whose command ignores the cancellation (keeps running). */
  const deaf = () =>
    spawnNode(
      "require('./server/cli/signals.ts').cancellationOnSignals((t) => process.stderr.write(t)); setInterval(() => {}, 1000); console.log('ready')",
    );

  test('a second signal exits at once; without one, the watchdog exits a command that does not stop', async () => {
    const twice = deaf();
    const status = exited(twice);
    let err = '';
    let out = '';
    twice.stderr?.on('data', (d) => {
      err += d;
    });
    twice.stdout?.on('data', (d) => {
      out += d;
    });
    await until(() => out.includes('ready'), START_TIMEOUT_MS, 'the process to start');
    twice.kill('SIGTERM');
    await until(() => err.includes('stopping'), START_TIMEOUT_MS, 'the first signal to be seen');
    twice.kill('SIGTERM');
    const r = await status;
    assert.equal(r.code, CANCELLED_EXIT);
    assert.match(r.stderr, /second SIGTERM; exiting now/);

    const once = deaf();
    const onceStatus = exited(once);
    let onceOut = '';
    once.stdout?.on('data', (d) => {
      onceOut += d;
    });
    await until(() => onceOut.includes('ready'), START_TIMEOUT_MS, 'the process to start');
    const sent = Date.now();
    once.kill('SIGTERM');
    const w = await onceStatus;
    assert.equal(w.code, CANCELLED_EXIT);
    assert.match(w.stderr, new RegExp(`still running ${STOP_WITHIN_MS} ms after SIGTERM; exiting`));
    assert.ok(Date.now() - sent < ENDS_WITHIN_MS);
  });

  test("the supervised command starts with the runtime processes' malloc tuning", async () => {
    const child = spawnNode(
      `require('./server/cli/supervisor.ts').supervise([process.execPath, '-e', 'process.stdout.write(String(process.env.GLIBC_TUNABLES))']).then((code) => process.exit(code))`,
    );
    const r = await exited(child);
    assert.equal(r.code, 0);
    const out = r.stdout;
    const expected = withMemoryTuning(process.env).GLIBC_TUNABLES;
    assert.equal(out, String(expected));
    if (process.platform === 'linux' && process.env.PROPMEND_MALLOC_TUNING !== '0')
      assert.match(out, /glibc\.malloc\.hugetlb=1/);
  });

  test('under the supervisor, a child stuck in synchronous work is ended after a signal', async () => {
    // The child ignores SIGTERM and then blocks its only thread, as a read of a FIFO would.
    const stuck =
      "process.on('SIGTERM', () => {}); console.log('blocked'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)";
    const child = spawnNode(
      `require('./server/cli/supervisor.ts').supervise([process.execPath, '-e', ${JSON.stringify(stuck)}]).then((code) => process.exit(code))`,
    );
    const status = exited(child);
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    await until(() => out.includes('blocked'), START_TIMEOUT_MS, 'the child to block');
    const sent = Date.now();
    child.kill('SIGTERM');
    const r = await status;
    const took = Date.now() - sent;
    assert.equal(r.code, CANCELLED_EXIT);
    assert.ok(took < ENDS_WITHIN_MS, `ended ${took} ms after SIGTERM`);
  });
});
