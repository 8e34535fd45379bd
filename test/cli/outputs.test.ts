// Ground state is never overwritten: every writing command refuses an existing target without --force,
// never writes over its own inputs (even with --force, through symbolic or hard links), refuses targets that
// are folders, devices or links with exit 1 and one line, and removes temp left-overs of dead processes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { claimOutput, OutputError, removeStaleTemps } from '../../server/common/output';
import { runCliCaptured as cli } from '../support/cli';
import { writeFixture } from '../support/fixtures';

const root = resolve(__dirname, '..', '..');
const sample = join(root, 'test/fixtures/rippleedits-sample');

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The pid of a process that has exited (a left-over of a killed run). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid as number;
}

describe('writing commands and their targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'propmend-outputs-'));
  const model = join(dir, 'model');
  const records = join(dir, 'popular.json');
  before(() => {
    writeFixture(model, 'llama-tiny');
    const input = readdirSync(sample).find((f) => f.endsWith('.json')) as string;
    cpSync(join(sample, input), records);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('grad never writes over the model it reads, even with --force', async () => {
    const weights = join(model, 'model.safetensors');
    const before = sha(weights);
    for (const force of [[], ['--force']]) {
      const r = await cli(['grad', model, '--ids', '1,2,3', '--params', 'all', '--out', weights, ...force]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /is a file of the input folder .*; choose an output outside it/);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
    // A hard link elsewhere is a new name: the output replaces that name (temp file and rename), never the
    // model's own file behind it.
    const linked = join(dir, 'weights-link.safetensors');
    linkSync(weights, linked);
    const hard = await cli(['grad', model, '--ids', '1,2,3', '--params', 'all', '--out', linked, '--force']);
    assert.equal(hard.code, 0, hard.stderr);
    assert.notEqual(sha(linked), before);
    assert.equal(sha(weights), before);
  });

  test('grad and capture refuse an existing file without --force and replace it with --force', async () => {
    const out = join(dir, 'g.safetensors');
    writeFileSync(out, 'hand-written');
    const args = ['grad', model, '--ids', '1,2,3', '--params', 'model.norm.weight', '--out', out];
    const refused = await cli(args);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already exists; choose another file or pass --force to replace it/);
    assert.equal(readFileSync(out, 'utf8'), 'hand-written');
    const forced = await cli([...args, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readFileSync(out, 'utf8'), 'hand-written');
    const cap = await cli(['capture', model, '--ids', '1,2,3', '--layers', '0', '--out', out]);
    assert.equal(cap.code, 1);
    assert.match(cap.stderr, /already exists/);
  });

  test('a folder, a device, a link or a path under a file is refused as a target, with --force too', async () => {
    const link = join(dir, 'link.safetensors');
    symlinkSync(join(dir, 'nowhere'), link);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const cases: Array<[string, RegExp]> = [
      [folder, /is a folder; give the path of a new file/],
      ['/dev/full', /is a device; give the path of a new file/],
      [link, /is a symbolic link/],
      [join(records, 'x.safetensors'), /is a file, not a folder/],
    ];
    for (const [target, message] of cases) {
      const r = await cli(['grad', model, '--ids', '1,2', '--params', 'all', '--out', target, '--force']);
      assert.equal(r.code, 1, `${target}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  test('convert refuses its own input and an existing dataset; --force replaces only the latter', async () => {
    const before = sha(records);
    const self = await cli(['convert', 'rippleedits', records, '-o', records, '--force']);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /-o .* is an input of this command/);
    assert.equal(sha(records), before);
    const out = join(dir, 'hand.ripple.jsonl');
    writeFileSync(out, '{"id": "mine"}\n');
    const refused = await cli(['convert', 'rippleedits', records, '-o', out]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already exists/);
    assert.equal(readFileSync(out, 'utf8'), '{"id": "mine"}\n');
    const forced = await cli(['convert', 'rippleedits', records, '-o', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readFileSync(out, 'utf8'), '{"id": "mine"}\n');
  });

  test('world build refuses a file, a non-empty folder and sizes its names cannot serve', async () => {
    const small = ['--train', '10', '--validation', '5', '--test', '5'];
    const file = await cli(['world', 'build', '--out', records, ...small]);
    assert.equal(file.code, 1);
    assert.match(file.stderr, /is a file; give the path of a new folder/);
    const out = join(dir, 'world');
    assert.equal((await cli(['world', 'build', '--out', out, ...small])).code, 0);
    const again = await cli(['world', 'build', '--out', out, ...small]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; choose another folder or pass --force/);
    assert.equal((await cli(['world', 'build', '--out', out, ...small, '--force'])).code, 0);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('.world.')),
      [],
      'no temp folder left',
    );
    const huge = await cli(['world', 'build', '--out', join(dir, 'huge'), '--train', '200000']);
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /the world's names allow \d+ new people, fewer than .* = 205000; lower them/);
    assert.ok(!existsSync(join(dir, 'huge')));
    const unread = await cli(['world', 'build', '--out', join(dir, 'unread'), '--reading', '0']);
    assert.equal(unread.code, 2);
    assert.match(unread.stderr, /--reading 0: too few reading-comprehension examples .*; raise --reading/);
  });

  test('pretrain never writes its model over the world it reads', async () => {
    const world = join(dir, 'world');
    const r = await cli(['pretrain', '--world', world, '--out', world, '--recipe', 'smoke', '--force']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /is an input of this command/);
    const parent = await cli(['pretrain', '--world', world, '--out', dir, '--recipe', 'smoke', '--force']);
    assert.equal(parent.code, 1);
    assert.match(parent.stderr, /contains the input/);
  });
});

describe('temp files of dead processes', () => {
  test('are removed beside a claimed target; a parked old version comes back when the target is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'propmend-stale-'));
    try {
      const pid = deadPid();
      const target = join(dir, 'model');
      mkdirSync(join(dir, `.model.${pid}.abc.saving`));
      writeFileSync(join(dir, `.out.json.${pid}.x1.tmp`), '{');
      mkdirSync(join(dir, `.model.${process.pid}.live.saving`));
      claimOutput(target, { kind: 'folder' });
      claimOutput(join(dir, 'out.json'), { kind: 'file' });
      assert.deepEqual(readdirSync(dir).sort(), [`.model.${process.pid}.live.saving`]);

      mkdirSync(join(dir, `.model.${pid}.abc.saving.old`));
      writeFileSync(join(dir, `.model.${pid}.abc.saving.old`, 'config.json'), '{}');
      removeStaleTemps(target);
      assert.ok(existsSync(join(target, 'config.json')), 'the old version is back in place');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('claimOutput refuses with OutputError, a user error', () => {
    assert.throws(() => claimOutput(tmpdir(), { kind: 'file' }), OutputError);
  });
});
