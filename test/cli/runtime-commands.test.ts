// The runtime commands end to end on a random fixture checkpoint: grad writes the engine's gradients,
// capture's u/delta reproduce grad's weight gradient, generate and info answer, bad flags exit 2 with a
// message, and pretrain's smoke recipe lowers the loss and resumes after a SIGKILL to identical weights.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readAllFloat } from '../../server/runtime/load/reader';
import { relativeError } from '../support/check-op';
import { runCliCaptured } from '../support/cli';
import { exited, spawnCli, until } from '../support/cli-process';
import { writeFixture } from '../support/fixtures';
import { writeToyWorld } from '../support/toy-world';

const cli = runCliCaptured;

describe('runtime commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'propmend-cli-'));
  const model = join(dir, 'llama');
  before(() => {
    writeFixture(model, 'llama-tiny');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('capture u/delta reproduce the weight gradient that grad writes', async () => {
    const text = 'the cat sat on the mat';
    const linear = 'model.layers.1.mlp.up_proj';
    const gradOut = join(dir, 'grad.safetensors');
    const g = await cli(['grad', model, '--text', text, '--params', `${linear}.weight`, '--out', gradOut]);
    assert.equal(g.code, 0, g.stderr);
    const { loss } = JSON.parse(g.stdout) as { loss: number };
    assert.ok(loss > 0 && Number.isFinite(loss));
    const capOut = join(dir, 'capture.safetensors');
    const c = await cli([
      'capture',
      model,
      '--text',
      text,
      '--no-eos',
      '--layers',
      '1',
      '--modules',
      'up_proj',
      '--out',
      capOut,
      '--json',
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(Math.abs((JSON.parse(c.stdout) as { loss: number }).loss - loss) < 1e-6);
    const grads = readAllFloat(gradOut).tensors;
    const caps = readAllFloat(capOut).tensors;
    const weightGrad = grads.get(`${linear}.weight`) as { shape: number[]; data: Float32Array };
    const u = caps.get(`u.${linear}`) as { shape: number[]; data: Float32Array };
    const delta = caps.get(`delta.${linear}`) as { shape: number[]; data: Float32Array };
    const [rows, dIn] = u.shape as [number, number];
    const dOut = delta.shape[1] as number;
    const outer = new Float64Array(dOut * dIn);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < dOut; o++) {
        const d = delta.data[r * dOut + o] as number;
        for (let i = 0; i < dIn; i++)
          outer[o * dIn + i] = (outer[o * dIn + i] as number) + d * (u.data[r * dIn + i] as number);
      }
    }
    assert.ok(relativeError(outer, weightGrad.data) < 1e-5);
  });

  test('generate and info answer as JSON', async () => {
    const g = await cli([
      'generate',
      model,
      '--prompt',
      'the cat',
      '--prompt',
      'a dog',
      '--max-new-tokens',
      '3',
      '--json',
    ]);
    assert.equal(g.code, 0, g.stderr);
    const { generations } = JSON.parse(g.stdout) as {
      generations: Array<{ prompt: string; tokens: number }>;
    };
    assert.deepEqual(
      generations.map((x) => x.prompt),
      ['the cat', 'a dog'],
    );
    assert.ok(generations.every((x) => x.tokens >= 1 && x.tokens <= 3));
    const i = await cli(['info', model, '--json']);
    assert.equal(i.code, 0, i.stderr);
    const info = JSON.parse(i.stdout) as { family: string; parameters: number; providers: { cpu: boolean } };
    assert.equal(info.family, 'llama');
    assert.equal(info.providers.cpu, true);
    assert.ok(info.parameters > 100_000);
  });

  test('bad input exits 2 with a message naming the problem', async () => {
    const noOut = await cli(['grad', model, '--ids', '1,2,3', '--params', 'all']);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /give --out FILE\.safetensors/);
    const badIds = await cli([
      'grad',
      model,
      '--ids',
      '1,x',
      '--params',
      'all',
      '--out',
      join(dir, 'x.safetensors'),
    ]);
    assert.equal(badIds.code, 2);
    assert.match(badIds.stderr, /--ids expects comma-separated non-negative integers, got "x"/);
    const missing = await cli(['generate', join(dir, 'nope'), '--prompt', 'x']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /model folder .*nope does not exist/);
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"; valid commands: /);
  });

  describe('pretrain (smoke recipe)', () => {
    const world = join(dir, 'world');
    before(() => writeToyWorld(world));

    test('trains, lowers the loss and writes an HF folder with training.json', async () => {
      const out = join(dir, 'smoke');
      const r = await cli(['pretrain', '--world', world, '--out', out, '--recipe', 'smoke', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).steps, 40);
      const again = await cli(['pretrain', '--world', world, '--out', out, '--recipe', 'smoke']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^already trained: .* \(40 steps, final epoch loss \d+\.\d{4}/);
      assert.doesNotMatch(again.stdout, /undefined|NaN/);
      const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')) as {
        epochLosses: number[];
        steps: number;
      };
      assert.equal(training.steps, 40);
      const first = training.epochLosses[0] as number;
      const last = training.epochLosses[training.epochLosses.length - 1] as number;
      assert.ok(last < first * 0.8, `epoch losses ${training.epochLosses.join(', ')}`);
      for (const f of ['config.json', 'model.safetensors', 'tokenizer.json'])
        assert.ok(existsSync(join(out, f)), f);
      assert.ok(!existsSync(`${out}.training`), 'the checkpoint folder is removed after a finished run');
    });

    test('a SIGKILLed run resumes from its checkpoint to byte-identical weights', async () => {
      const straight = join(dir, 'straight');
      const args = ['--world', world, '--recipe', 'smoke', '--max-steps', '60'];
      assert.equal((await cli(['pretrain', ...args, '--out', straight])).code, 0);

      const killed = join(dir, 'killed');
      const child = spawnCli(['pretrain', ...args, '--out', killed]);
      const checkpoint = join(`${killed}.training`, 'checkpoint', 'state.json');
      const status = exited(child);
      await until(() => existsSync(checkpoint) || child.exitCode !== null, 60_000, 'the first checkpoint');
      child.kill('SIGKILL');
      assert.equal((await status).signal, 'SIGKILL', 'the run was killed before it finished');
      assert.ok(!existsSync(killed), 'no model folder from a killed run');

      const resumed = await cli(['pretrain', ...args, '--out', killed]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /resuming from the checkpoint at step \d+/);
      assert.deepEqual(
        readFileSync(join(killed, 'model.safetensors')),
        readFileSync(join(straight, 'model.safetensors')),
      );
    });
  });
});
