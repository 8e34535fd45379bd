// Tests for server/runtime/models/checkpoint.ts on the random fixtures: save/load round trips (float32, bfloat16,
// float16, sharded, float64 loading), tied heads, tokenizer copying, atomic replacement, and the errors for
// missing files, unknown architectures and weights that do not match config.json.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadTokenizer } from '../../server/common/tokenizer';
import { encode16 } from '../../server/runtime/load/convert';
import { CheckpointError } from '../../server/runtime/load/format';
import { writeSafetensors } from '../../server/runtime/load/writer';
import { type LoadProgress, loadCheckpoint, saveCheckpoint } from '../../server/runtime/models/checkpoint';
import { FIXTURE_NAMES, writeFixture } from '../support/fixtures';

const root = mkdtempSync(join(tmpdir(), 'propmend-ckpt-'));
after(() => rmSync(root, { recursive: true, force: true }));

for (const name of FIXTURE_NAMES) {
  test(`${name}: float32 save and load round-trip exactly, a tied head has no lm_head entry`, () => {
    const dir = join(root, name);
    const written = writeFixture(dir, name);
    const progress: LoadProgress[] = [];
    const loaded = loadCheckpoint(dir, { onProgress: (p) => progress.push(p) });
    assert.equal(loaded.dir, dir);
    assert.deepEqual({ ...loaded.config, raw: {} }, { ...written.config, torchDtype: 'float32', raw: {} });
    assert.deepEqual([...loaded.weights.keys()], [...written.weights.keys()]);
    for (const [key, w] of written.weights) {
      const t = loaded.weights.get(key);
      assert.equal(t?.dtype, 'float32');
      assert.deepEqual(t?.shape, w.shape);
      assert.deepEqual(t?.data, w.data, key);
    }
    assert.equal(loaded.weights.has('lm_head.weight'), !written.config.tieWordEmbeddings);
    assert.equal(progress.length, loaded.weights.size);
    assert.equal(progress.at(-1)?.bytesDone, progress.at(-1)?.bytesTotal);
    assert.ok(progress.every((p, i) => i === 0 || p.bytesDone > (progress[i - 1] as LoadProgress).bytesDone));
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.torch_dtype, 'float32');
    assert.equal(config.tie_word_embeddings, written.config.tieWordEmbeddings);
  });
}

for (const dtype of ['bfloat16', 'float16'] as const) {
  test(`${dtype} checkpoints load as the rounded values, in float32 and float64`, () => {
    const dir = join(root, `half-${dtype}`);
    const written = writeFixture(dir, 'llama-tiny', { dtype });
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).torch_dtype, dtype);
    const f32 = loadCheckpoint(dir);
    const f64 = loadCheckpoint(dir, { dtype: 'float64' });
    const src = written.weights.get('model.layers.1.mlp.up_proj.weight')?.data as Float32Array;
    const bits = new Uint16Array(src.length);
    encode16(dtype === 'bfloat16' ? 'BF16' : 'F16', src, bits);
    const got = f32.weights.get('model.layers.1.mlp.up_proj.weight')?.data as Float32Array;
    const again = new Uint16Array(src.length);
    encode16(dtype === 'bfloat16' ? 'BF16' : 'F16', got, again);
    assert.deepEqual(again, bits, 'loaded values are exactly the rounded ones');
    assert.notDeepEqual(got, src, 'rounding did happen');
    assert.equal(f64.weights.get('model.norm.weight')?.dtype, 'float64');
    assert.deepEqual(
      f64.weights.get('model.norm.weight')?.data,
      Float64Array.from(f32.weights.get('model.norm.weight')?.data ?? []),
    );
  });
}

test('a sharded save writes an index and loads back identically', () => {
  const dir = join(root, 'sharded');
  const written = writeFixture(dir, 'qwen2-tiny', { maxShardBytes: 40_000 });
  const files = readdirSync(dir).sort();
  assert.ok(files.includes('model.safetensors.index.json'));
  assert.ok(!files.includes('model.safetensors'));
  const shards = files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f));
  assert.ok(shards.length >= 3, `expected several shards, got ${files.join(', ')}`);
  const loaded = loadCheckpoint(dir);
  assert.equal(loaded.files.length, shards.length);
  for (const [key, w] of written.weights) assert.deepEqual(loaded.weights.get(key)?.data, w.data, key);
});

test('saving copies the tokenizer files and refuses to overwrite unless asked; no temp folders remain', async () => {
  const src = join(root, 'tok-src');
  const { config, weights } = writeFixture(src, 'llama-tiny-tied');
  writeFileSync(join(src, 'generation_config.json'), '{"bos_token_id": 1}\n');
  const out = join(root, 'tok-out');
  saveCheckpoint(out, config, weights, {
    dtype: 'bfloat16',
    tokenizerFrom: src,
    extraFiles: { 'NOTE.md': 'edited\n' },
  });
  assert.deepEqual(readdirSync(out).sort(), [
    'NOTE.md',
    'config.json',
    'generation_config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  const tok = await loadTokenizer(out);
  assert.deepEqual(tok.encode('who is alice'), (await loadTokenizer(src)).encode('who is alice'));
  assert.throws(
    () => saveCheckpoint(out, config, weights, { dtype: 'float32' }),
    /tok-out already exists and is not empty; choose a new output folder or pass overwrite/,
  );
  saveCheckpoint(out, config, weights, { dtype: 'float32', overwrite: true });
  assert.deepEqual(readdirSync(out).sort(), ['config.json', 'model.safetensors']);
  assert.equal(loadCheckpoint(out).config.torchDtype, 'float32');
  assert.throws(
    () =>
      saveCheckpoint(join(root, 'no-tok'), config, weights, {
        dtype: 'float32',
        tokenizerFrom: join(root, 'sharded-none'),
      }),
    /has no tokenizer\.json to copy/,
  );
  assert.throws(
    () =>
      saveCheckpoint(join(root, 'x'), config, weights, { dtype: 'float32', extraFiles: { '../evil': 'x' } }),
    /extra file name "\.\.\/evil" is not allowed/,
  );
  assert.throws(
    () => saveCheckpoint(join(root, 'x'), config, weights, { dtype: 'int8' as 'float32' }),
    /cannot save as int8; valid: float32, bfloat16, float16/,
  );
  assert.deepEqual(
    readdirSync(root).filter((f) => f.startsWith('.')),
    [],
    'no temp folder left behind',
  );
});

test('weights that do not match the config are refused before anything is written', () => {
  const src = join(root, 'mismatch-src');
  const { config, weights } = writeFixture(src, 'qwen2-tiny');
  const missing = new Map(weights);
  missing.delete('model.layers.1.self_attn.q_proj.bias');
  const target = join(root, 'mismatch-out');
  assert.throws(
    () => saveCheckpoint(target, config, missing, { dtype: 'float32' }),
    /the weights to save does not match its qwen2 config\.json: missing model\.layers\.1\.self_attn\.q_proj\.bias; Qwen2 checkpoints have q\/k\/v biases/,
  );
  const short = new Map(weights);
  short.set('model.norm.weight', { shape: [64], data: new Float32Array(3) });
  assert.throws(
    () => saveCheckpoint(target, config, short, { dtype: 'float32' }),
    /model\.norm\.weight has 3 values but shape \[64\] needs 64/,
  );
  assert.equal(existsSync(target), false);
});

/** Rewrites a fixture folder's weights with `edit` applied to the name → tensor map. */
function rewriteWeights(
  dir: string,
  edit: (m: Map<string, { shape: number[]; data: Float32Array }>) => void,
) {
  const loaded = loadCheckpoint(dir);
  const m = new Map(
    [...loaded.weights].map(([k, t]) => [k, { shape: t.shape.slice(), data: t.data as Float32Array }]),
  );
  edit(m);
  rmSync(join(dir, 'model.safetensors'));
  writeSafetensors(
    join(dir, 'model.safetensors'),
    [...m].map(([name, t]) => ({ name, ...t })),
    'F32',
  );
}

test('loading explains missing files, unknown architectures and mismatched tensors, with the fix', () => {
  assert.throws(() => loadCheckpoint(join(root, 'nowhere')), /model folder .*nowhere does not exist/);
  const empty = join(root, 'empty');
  mkdirSync(empty);
  assert.throws(
    () => loadCheckpoint(empty),
    /empty has no config\.json; a model folder needs config\.json and model\.safetensors/,
  );

  const dir = join(root, 'broken');
  writeFixture(dir, 'llama-tiny');
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'mamba' }));
  assert.throws(
    () => loadCheckpoint(dir),
    (e: Error) =>
      e instanceof CheckpointError &&
      /model_type "mamba" is not supported \(supported: llama, qwen2\)/.test(e.message),
  );
  writeFileSync(join(dir, 'config.json'), '{"model_type": "llama",');
  assert.throws(() => loadCheckpoint(dir), /broken[/\\]config\.json is not valid JSON/);

  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, tie_word_embeddings: false }));
  rewriteWeights(dir, (m) => m.delete('lm_head.weight'));
  assert.throws(() => loadCheckpoint(dir), /missing lm_head\.weight; .*set "tie_word_embeddings": true/);

  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, tie_word_embeddings: true }));
  rewriteWeights(dir, (m) => {
    m.set('lm_head.weight', m.get('model.embed_tokens.weight') as { shape: number[]; data: Float32Array });
    m.set('model.layers.0.self_attn.rotary_emb.inv_freq', { shape: [8], data: new Float32Array(8) });
  });
  const tied = loadCheckpoint(dir);
  assert.equal(tied.weights.has('lm_head.weight'), false, 'a stored copy of a tied head is ignored');
  assert.equal(tied.weights.has('model.layers.0.self_attn.rotary_emb.inv_freq'), false);

  rewriteWeights(dir, (m) =>
    m.set('model.layers.0.self_attn.q_proj.bias', { shape: [64], data: new Float32Array(64) }),
  );
  assert.throws(
    () => loadCheckpoint(dir),
    /unexpected model\.layers\.0\.self_attn\.q_proj\.bias; the weights have biases the config does not declare/,
  );

  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ...config, tie_word_embeddings: true, intermediate_size: 150 }),
  );
  assert.throws(
    () => loadCheckpoint(dir),
    /wrong shapes: model\.layers\.0\.mlp\.gate_proj\.weight is \[160, 64\], config\.json implies \[150, 64\]/,
  );

  rmSync(join(dir, 'model.safetensors'));
  assert.throws(() => loadCheckpoint(dir), /has no model\.safetensors, no model\.safetensors\.index\.json/);
});
