// Heavy ring (about 26 s): checks the PyTorch oracle (test/parity/reference.py) itself on the random fixtures:
// its gradients agree with central differences, its loss is the next-token cross-entropy of its logits,
// attention is causal, grouped-query heads map as Hugging Face maps them, and its parameter names and rotary
// frequencies match ours. Needs /usr/bin/python3 with torch: fails when CI is set and torch is missing, else
// reports a visible skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { saveCheckpoint } from '../../server/runtime/models/checkpoint';
import { normalizeConfig, parameterNames } from '../../server/runtime/models/registry';
import { ropeInverseFrequencies } from '../../server/runtime/models/rope';
import { FIXTURE_NAMES, FIXTURES, fixtureConfigJson, writeFixture } from '../support/fixtures';
import {
  type OracleRun,
  PYTHON,
  runOracle,
  ORACLE_SCRIPT as SCRIPT,
  torchAvailable,
} from '../support/oracle';

const root = mkdtempSync(join(tmpdir(), 'propmend-oracle-'));
after(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
function oracle(dir: string, ids: number[], extra: string[] = []): OracleRun {
  return runOracle(dir, ids, join(root, `out-${runs++}.safetensors`), extra);
}

const IDS = [1, 87, 143, 89, 195, 94, 196, 4, 143, 89];

function get(run: OracleRun, name: string) {
  const t = run.out.get(name);
  assert.ok(t, `oracle output lacks ${name}`);
  return t;
}

for (const name of FIXTURE_NAMES) {
  test(`${name}: oracle gradients match central differences and cover exactly our parameter names`, (t) => {
    if (!torchAvailable(t)) return;
    const dir = join(root, name);
    const { config } = writeFixture(dir, name);
    const L = config.numLayers - 1;
    const probes = [
      `model.embed_tokens.weight:${143 * config.hiddenSize + 5}`,
      'model.layers.0.self_attn.q_proj.weight:7',
      'model.layers.0.self_attn.k_proj.weight:3',
      `model.layers.${L}.mlp.down_proj.weight:11`,
      `model.layers.${L}.post_attention_layernorm.weight:2`,
      'model.norm.weight:1',
      config.qkvBias ? 'model.layers.0.self_attn.v_proj.bias:4' : 'model.layers.0.self_attn.v_proj.weight:4',
      config.tieWordEmbeddings
        ? 'model.embed_tokens.weight:9'
        : `lm_head.weight:${89 * config.hiddenSize + 3}`,
    ];
    const run = oracle(dir, IDS, ['--fd', probes.join(','), '--fd-eps', '1e-5']);
    for (const probe of probes) {
      const [param, index] = probe.split(':') as [string, string];
      const grad = get(run, `grad.${param}`).data[Number(index)] as number;
      const fd = run.fd[probe] as number;
      assert.ok(Math.abs(grad) > 1e-8, `${probe}: gradient ${grad} is too small to test`);
      assert.ok(
        Math.abs(fd - grad) <= 1e-8 + 1e-6 * Math.abs(grad),
        `${probe}: autograd ${grad} vs differences ${fd}`,
      );
    }
    const ours = parameterNames(config);
    const theirs = [...run.out.keys()].filter((k) => k.startsWith('grad.')).map((k) => k.slice(5));
    assert.deepEqual(theirs.sort(), ours.map((p) => p.name).sort());
    for (const p of ours) assert.deepEqual(get(run, `grad.${p.name}`).shape, p.shape, p.name);
    assert.equal(run.out.has('grad.lm_head.weight'), !config.tieWordEmbeddings);
  });
}

test('the oracle loss is the mean next-token cross-entropy of its own logits', (t) => {
  if (!torchAvailable(t)) return;
  const dir = join(root, 'ce');
  writeFixture(dir, 'qwen2-tiny');
  const run = oracle(dir, IDS);
  const logits = get(run, 'logits');
  const V = logits.shape[1] as number;
  assert.deepEqual(logits.shape, [IDS.length, 320]);
  let total = 0;
  for (let t = 0; t < IDS.length - 1; t++) {
    const row = logits.data.subarray(t * V, (t + 1) * V);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    total += lse - (row[IDS[t + 1] as number] as number);
  }
  assert.ok(
    Math.abs(total / (IDS.length - 1) - run.loss) < 1e-12,
    `${total / (IDS.length - 1)} vs ${run.loss}`,
  );
  assert.equal(get(run, 'loss').data[0], run.loss);
});

test('attention is causal: a prefix gets the same logits as the start of the longer sequence', (t) => {
  if (!torchAvailable(t)) return;
  const dir = join(root, 'causal');
  writeFixture(dir, 'llama-tiny-tied');
  const full = get(oracle(dir, IDS), 'logits');
  const prefix = get(oracle(dir, IDS.slice(0, 4)), 'logits');
  const n = prefix.data.length;
  let diff = 0;
  for (let i = 0; i < n; i++)
    diff = Math.max(diff, Math.abs((prefix.data[i] as number) - (full.data[i] as number)));
  assert.ok(diff < 1e-12, `prefix logits differ by ${diff}`);
  let later = 0;
  for (let i = n; i < full.data.length; i++) later = Math.max(later, Math.abs(full.data[i] as number));
  assert.ok(later > 0.1, 'later positions carry non-trivial logits');
});

test('grouped-query heads: query head j reads KV head floor(j / group), as Hugging Face arranges them', (t) => {
  if (!torchAvailable(t)) return;
  const base = join(root, 'gqa');
  const { config, weights } = writeFixture(base, 'llama-tiny');
  const group = config.numHeads / config.numKvHeads;
  const expand = (mapping: (j: number) => number, dir: string) => {
    const raw = { ...fixtureConfigJson(FIXTURES['llama-tiny']), num_key_value_heads: config.numHeads };
    const wide = normalizeConfig(raw, 'expanded');
    const out = new Map(weights);
    for (let l = 0; l < config.numLayers; l++) {
      for (const proj of ['k_proj', 'v_proj']) {
        const name = `model.layers.${l}.self_attn.${proj}.weight`;
        const src = weights.get(name)?.data as Float32Array;
        const rowLen = config.hiddenSize * config.headDim;
        const data = new Float32Array(config.numHeads * rowLen);
        for (let j = 0; j < config.numHeads; j++)
          data.set(src.subarray(mapping(j) * rowLen, (mapping(j) + 1) * rowLen), j * rowLen);
        out.set(name, { shape: [config.numHeads * config.headDim, config.hiddenSize], data });
      }
    }
    saveCheckpoint(dir, wide, out, { dtype: 'float32', overwrite: true });
    return get(oracle(dir, IDS), 'logits').data;
  };
  const reference = get(oracle(base, IDS), 'logits').data;
  const maxDiff = (a: Float64Array) =>
    a.reduce((m, x, i) => Math.max(m, Math.abs(x - (reference[i] as number))), 0);
  assert.ok(maxDiff(expand((j) => Math.floor(j / group), join(root, 'gqa-right'))) < 1e-12);
  assert.ok(
    maxDiff(expand((j) => j % config.numKvHeads, join(root, 'gqa-wrong'))) > 1e-3,
    'a wrong mapping is detected',
  );
});

test('rotary frequencies agree with rope.ts, llama3 scaling included; float32 mode tracks float64', (t) => {
  if (!torchAvailable(t)) return;
  const dir = join(root, 'rope');
  const { config } = writeFixture(dir, 'llama-tiny-tied');
  const run64 = oracle(dir, IDS);
  const theirs = get(run64, 'rope.inv_freq').data;
  const ours = ropeInverseFrequencies(config);
  assert.equal(theirs.length, config.headDim / 2);
  for (const [i, f] of ours.entries()) {
    assert.ok(Math.abs(f - (theirs[i] as number)) <= 1e-15 * f, `frequency ${i}: ${f} vs ${theirs[i]}`);
  }
  const run32 = oracle(dir, IDS, ['--dtype', 'float32']);
  const a = get(run64, 'logits').data;
  const b = get(run32, 'logits').data;
  const diff = a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] as number))), 0);
  assert.ok(diff < 1e-4 && diff > 0, `float32 logits differ from float64 by ${diff}`);
});

test('bad ids and missing folders exit with status 2 and a message naming the problem', (t) => {
  if (!torchAvailable(t)) return;
  const dir = join(root, 'bad');
  writeFixture(dir, 'qwen2-tiny-tied');
  const out = join(root, 'bad.safetensors');
  const range = spawnSync(PYTHON, [SCRIPT, dir, '--ids', '1,99999', '--out', out], { encoding: 'utf8' });
  assert.equal(range.status, 2);
  assert.match(range.stderr, /token ids \[99999\] are outside the vocabulary \(0\.\.288\)/);
  const missing = spawnSync(PYTHON, [SCRIPT, join(root, 'nowhere'), '--ids', '1,2', '--out', out], {
    encoding: 'utf8',
  });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nowhere has no config\.json/);
});
