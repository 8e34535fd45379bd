// The `world build` command's contract: its JSON summary, its log, the files its manifest counts, bad flags.
// The committed world's own contract is checked at full size in the heavy ring (test/heavy/world-contract).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { WORLD_SPLITS } from '../../server/dataset';
import { testTempDir } from '../check/check-fixture';
import { runCliCaptured } from '../support/cli';

const root = resolve(__dirname, '..', '..');
const ASSETS = join(root, 'assets', 'world');
const manifest = JSON.parse(readFileSync(join(ASSETS, 'manifest.json'), 'utf8')) as {
  seed: number;
  rebuild: string;
};

describe('propmend world build', () => {
  const dir = testTempDir('propmend-world-cli-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cli = runCliCaptured;

  test('--json prints the summary on stdout, the log on stderr, and the files the manifest counts', async () => {
    const out = join(dir, 'w');
    const r = await cli([
      'world',
      'build',
      '--out',
      out,
      '--seed',
      '3',
      '--train',
      '30',
      '--test',
      '5',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { seed: number; instances: Record<string, number> };
    assert.equal(summary.seed, 3);
    assert.deepEqual(summary.instances, {
      train: 30,
      validation: 200,
      'test-in-domain': 5,
      'test-ood-entity': 5,
      'test-ood-relation': 5,
      'test-ood-both': 5,
    });
    assert.match(r.stderr, /entities/);
    assert.deepEqual(
      readdirSync(join(out, 'splits')).sort(),
      WORLD_SPLITS.map((s) => `${s}.ripple.jsonl`).sort(),
    );
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      rebuild: string;
      seed: number;
    };
    assert.equal(m.seed, 3);
    assert.match(m.rebuild, /--seed 3 --train 30 --test 5/);
  });

  test('bad flags exit 2 with a message that names the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['world', 'build'], /--out/],
      [
        ['world', 'build', '--out', join(dir, 'x'), '--train', 'many'],
        /--train expects an integer, got "many"/,
      ],
      [['world', 'build', '--out', join(dir, 'x'), '--seed=-1'], /--seed must be >= 0/],
      [['world', 'grow'], /unknown subcommand "grow"; valid: build, eval/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });

  test('the committed manifest names the command that rebuilds it', () => {
    assert.equal(manifest.rebuild, `propmend world build --out DIR --seed ${manifest.seed}`);
  });
});
