// The world generator: same seed gives identical files, the committed assets/world is exactly what the
// default command regenerates, splits are disjoint as Controlled RippleEdit requires (checked directly and
// by the checker's leakage rules), every name word is trained, and the tokenizer round-trips with no <unk>.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadTokenizer } from '../../server/common/tokenizer';
import { checkPaths } from '../../server/lsp/check';
import { buildWorld, DEFAULT_WORLD, type WorldOptions } from '../../server/world/build';
import { OOD_RELATIONS } from '../../server/world/schema';

const root = resolve(__dirname, '..', '..');
const ASSETS = join(root, 'assets', 'world');
const SMALL: WorldOptions = {
  ...DEFAULT_WORLD,
  seed: 5,
  splits: { train: 60, validation: 10, test: 10 },
  reading: 300,
};
const tmp = mkdtempSync(join(tmpdir(), 'propmend-world-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

interface Row {
  subject: string;
  split: string;
  triples: Array<{ relation: string; object: string }>;
  propagation: Array<{ path: string[]; question: string; answer: string }>;
}

function rows(world: string, split: string): Row[] {
  return readFileSync(join(world, 'splits', `${split}.ripple.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
}

const SPLIT_NAMES = [
  'train',
  'validation',
  'test-in-domain',
  'test-ood-entity',
  'test-ood-relation',
  'test-ood-both',
];

describe('world generator', () => {
  const a = join(tmp, 'a');
  const b = join(tmp, 'b');
  buildWorld(a, SMALL);
  buildWorld(b, SMALL);

  test('the same seed gives byte-identical files; another seed does not', () => {
    assert.deepEqual(files(a), files(b));
    const c = join(tmp, 'c');
    buildWorld(c, { ...SMALL, seed: 6 });
    assert.notDeepEqual(files(a).get('corpus.jsonl'), files(c).get('corpus.jsonl'));
  });

  test('the committed assets/world is what the default command regenerates', () => {
    const fresh = join(tmp, 'default');
    buildWorld(fresh, DEFAULT_WORLD);
    const expected = files(fresh);
    const committed = files(ASSETS);
    assert.deepEqual([...committed.keys()], [...expected.keys()]);
    for (const [name, bytes] of expected)
      assert.ok(bytes.equals(committed.get(name) as Buffer), `${name} differs from a fresh build`);
  });

  for (const [label, world] of [
    ['a small world', a],
    ['assets/world', ASSETS],
  ] as const) {
    test(`${label}: splits are disjoint and OOD splits hold out their entities and relations`, () => {
      const all = Object.fromEntries(SPLIT_NAMES.map((s) => [s, rows(world, s)]));
      const subjects = SPLIT_NAMES.flatMap((s) => (all[s] as Row[]).map((r) => r.subject));
      assert.equal(new Set(subjects).size, subjects.length, 'every instance has a new subject');
      const corpus = readFileSync(join(world, 'corpus.jsonl'), 'utf8');
      const seenInCorpus = subjects.filter((s) => corpus.includes(s));
      assert.deepEqual(seenInCorpus, [], 'no edit subject appears in the pretraining corpus');
      const train = all.train as Row[];
      const trainObjects = new Set(train.flatMap((r) => r.triples.map((t) => t.object)));
      const trainHops = new Set(train.flatMap((r) => r.propagation.flatMap((q) => q.path.slice(1))));
      for (const s of ['test-ood-entity', 'test-ood-both']) {
        for (const r of all[s] as Row[])
          for (const t of r.triples)
            assert.ok(!trainObjects.has(t.object), `${s}: ${t.object} is linked in train`);
      }
      for (const s of ['test-ood-relation', 'test-ood-both']) {
        for (const r of all[s] as Row[]) {
          for (const q of r.propagation) {
            for (const rel of q.path.slice(1)) {
              assert.ok(!trainHops.has(rel), `${s}: ${rel} is a train propagation relation`);
              assert.ok(OOD_RELATIONS.includes(rel));
            }
          }
        }
      }
      for (const rel of OOD_RELATIONS) assert.ok(!trainHops.has(rel));
      // Each word of every subject's name is trained even though the combination is new.
      for (const word of new Set(subjects.flatMap((s) => s.split(' '))))
        assert.ok(corpus.includes(word), word);
    });

    test(`${label}: the checker reports no errors and no warnings`, async () => {
      const reports = await checkPaths([world]);
      const problems = reports.flatMap((r) =>
        r.diagnostics
          .filter((d) => d.severity === 'error' || d.severity === 'warning')
          .map((d) => `${r.path}: ${d.code} ${d.message}`),
      );
      assert.deepEqual(problems.slice(0, 5), []);
      assert.equal(reports.length, 7, 'the KB and the six split files were checked');
    });
  }

  test('the tokenizer encodes every world text without <unk> and decodes it back', async () => {
    const tokenizer = await loadTokenizer(join(ASSETS, 'tokenizer'));
    assert.equal(tokenizer.bosTokenId, 2);
    assert.equal(tokenizer.eosTokenId, 3);
    assert.equal(tokenizer.padTokenId, 0);
    const texts = readFileSync(join(ASSETS, 'corpus.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { text: string }).text);
    for (const r of rows(ASSETS, 'test-ood-both'))
      texts.push(...r.propagation.map((q) => `${q.question} ${q.answer}`));
    const unk = 1;
    for (const text of texts) {
      const ids = tokenizer.encode(text, { addSpecialTokens: true });
      assert.equal(ids[0], 2, 'BOS first');
      assert.ok(!ids.includes(unk), `<unk> in "${text}"`);
      assert.equal(tokenizer.decode(ids, { skipSpecialTokens: true }), text);
    }
  });
});
