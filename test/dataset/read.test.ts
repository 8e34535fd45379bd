// The dataset model's readers: the world folder's gate questions, a *.ripple.jsonl file with a broken line,
// question kinds, edit specs, and the safe file read refusing FIFOs, devices, folders and oversized files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import {
  parseJsonl,
  readEditSpec,
  readInstanceFile,
  readTextFile,
  readWorldQuestions,
  TEST_SPLITS,
  WorldFileError,
} from '../../server/dataset/index';

const dir = mkdtempSync(join(tmpdir(), 'propmend-dataset-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const WORLD = resolve(__dirname, '../../assets/world');

test('the shipped world reads into 1-hop, 2-hop and four test splits of propagation questions', () => {
  const q = readWorldQuestions(WORLD);
  assert.ok(q.oneHop.length > 100 && q.twoHopKnown.length > 100);
  for (const s of TEST_SPLITS) {
    const qs = q.propagation[s];
    assert.ok(qs.length > 0, s);
    for (const x of qs) {
      assert.ok(x.fact && x.prompt && x.answer, `${s}: fact, prompt and answer`);
      assert.match(x.group, /^[\w/]+$/);
    }
  }
  assert.ok(q.oneHop.every((x) => x.group === 'qa1' && x.fact === undefined));
});

test('a world folder with a broken split line names the file and line', () => {
  const w = join(dir, 'world');
  mkdirSync(join(w, 'splits'), { recursive: true });
  writeFileSync(
    join(w, 'corpus.jsonl'),
    '{"kind":"qa1","prompt":"p?","answer":"a"}\n{"kind":"qa2","prompt":"q?","answer":"b"}\n',
  );
  for (const s of TEST_SPLITS) writeFileSync(join(w, 'splits', `${s}.ripple.jsonl`), '');
  writeFileSync(join(w, 'splits', 'test-ood-both.ripple.jsonl'), '\n{"fact": "x", "propagation": [}\n');
  assert.throws(
    () => readWorldQuestions(w),
    (e: unknown) =>
      e instanceof WorldFileError && /test-ood-both\.ripple\.jsonl:2: not valid JSON/.test(e.message),
  );
  rmSync(join(w, 'corpus.jsonl'));
  assert.throws(() => readWorldQuestions(w), /corpus\.jsonl does not exist/);
});

test('readInstanceFile keeps good lines and reports bad ones with their line; question kinds follow verbatim', () => {
  const file = join(dir, 'test-ood-entity.ripple.jsonl');
  const good = {
    id: 'a',
    fact: 'Ann works at Acme.',
    propagation: [
      { question: 'Where does Ann work?', answer: 'Acme', verbatim: true },
      { question: 'Where is her employer based?', answer: 'Paris', path: ['works_at', 'based_in'] },
    ],
    locality: [{ question: 'Where is Bob?', answer: 'Rome' }],
  };
  writeFileSync(file, `${JSON.stringify(good)}\r\n\nnot json\n[1]\n`);
  const read = readInstanceFile(file);
  assert.ok(read.ok);
  assert.deepEqual(
    read.instances.map((r) => r.line),
    [0],
  );
  const inst = read.instances[0]?.instance;
  assert.equal(inst?.split, 'test-ood-entity', 'the split the file name implies');
  assert.deepEqual(
    [...(inst?.propagation ?? []), ...(inst?.locality ?? [])].map((q) => q.kind),
    ['verbatim', 'non-verbatim', 'locality'],
  );
  assert.deepEqual(
    read.problems.map((p) => [p.line, p.message]),
    [
      [2, 'unexpected character'],
      [3, 'not a JSON object'],
    ],
  );
  assert.deepEqual(
    parseJsonl('{}\n\n  \n{"a":1}').map((r) => r.line),
    [0, 3],
  );
});

test('readEditSpec types paths, layers and generation settings and drops wrong types', () => {
  const spec = readEditSpec({
    model: 'm',
    hypernetwork: null,
    kb: '',
    layers: [3, 'x', 5],
    generation: { max_new_tokens: 7, prompt_template: 3 },
    fact: 'F',
    propagation: [],
  });
  assert.deepEqual(spec.paths, { model: 'm' });
  assert.deepEqual(spec.layers, [
    { index: 0, layer: 3 },
    { index: 2, layer: 5 },
  ]);
  assert.equal(spec.maxNewTokens, 7);
  assert.equal(spec.promptTemplate, undefined);
  assert.equal(spec.instance?.fact, 'F');
  assert.equal(readEditSpec({ layers: 'top' }).layers, 'top');
});

test('readTextFile refuses FIFOs, devices, folders and oversized files without opening them', {
  timeout: 10_000,
}, () => {
  const fifo = join(dir, 'pipe.ripple.jsonl');
  execFileSync('mkfifo', [fifo]);
  const zero = join(dir, 'zero.kb.json');
  symlinkSync('/dev/zero', zero);
  const big = join(dir, 'big.kb.json');
  writeFileSync(big, 'x'.repeat(2000));
  const cases: Array<[string, number | undefined, string, RegExp]> = [
    [fifo, undefined, 'not-regular', /is a FIFO \(named pipe\), not a regular file/],
    [zero, undefined, 'not-regular', /is a character device/],
    [dir, undefined, 'not-regular', /is a folder/],
    [big, 1000, 'too-large', /larger than/],
    [join(dir, 'absent.json'), undefined, 'missing', /does not exist/],
  ];
  for (const [path, max, problem, message] of cases) {
    const r = readTextFile(path, max);
    assert.equal(r.ok, false, path);
    if (r.ok) continue;
    assert.equal(r.problem, problem, path);
    assert.match(r.message, message);
  }
  const ok = readTextFile(big);
  assert.ok(ok.ok && ok.text.length === 2000);
});
