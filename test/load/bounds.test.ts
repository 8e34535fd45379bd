// Tests for the limits on what a model folder may ask for: config values outside sane ranges (a billion
// layers, a huge vocabulary, absurd rope values) are refused by key and range before anything is sized, while
// every real shape up to Llama-3.1-405B passes; weights larger than the machine's memory are refused with the
// numbers; and non-regular files (folders, FIFOs, devices) in a model folder are refused without a read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadTokenizer, TokenizerLoadError } from '../../server/common/tokenizer';
import { CheckpointError } from '../../server/runtime/load/format';
import { readHeader } from '../../server/runtime/load/reader';
import { loadCheckpoint, readModelConfig, saveCheckpoint } from '../../server/runtime/models/checkpoint';
import { CONFIG_BOUNDS } from '../../server/runtime/models/config-bounds';
import { checkWeightsFit, weightFootprint } from '../../server/runtime/models/memory';
import { normalizeConfig } from '../../server/runtime/models/registry';
import { writeFixture } from '../support/fixtures';
import { LLAMA_32_1B, QWEN25_15B } from '../support/published-configs';

const root = mkdtempSync(join(tmpdir(), 'propmend-bounds-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Llama-3.1-405B's published shape (the largest Llama), on the Llama-3.2-1B config's other keys. */
const LLAMA_405B_SHAPE = {
  ...LLAMA_32_1B,
  hidden_size: 16384,
  intermediate_size: 53248,
  num_hidden_layers: 126,
  num_attention_heads: 128,
  num_key_value_heads: 8,
  head_dim: 128,
  tie_word_embeddings: false,
  rope_scaling: { ...LLAMA_32_1B.rope_scaling, factor: 8.0 },
};

/** Qwen2.5-72B's published shape. */
const QWEN_72B_SHAPE = {
  ...QWEN25_15B,
  hidden_size: 8192,
  intermediate_size: 29568,
  num_hidden_layers: 80,
  num_attention_heads: 64,
  num_key_value_heads: 8,
  vocab_size: 152064,
  max_position_embeddings: 32768,
  tie_word_embeddings: false,
};

const refused = (raw: Record<string, unknown>, pattern: RegExp) =>
  assert.throws(
    () => normalizeConfig(raw, '/m/config.json'),
    (e: Error) => e instanceof CheckpointError && pattern.test(e.message),
    pattern.source,
  );

test('every real shape up to Llama-3.1-405B passes the bounds, with its parameter count', () => {
  for (const raw of [LLAMA_32_1B, QWEN25_15B, LLAMA_405B_SHAPE, QWEN_72B_SHAPE])
    normalizeConfig(raw, 'config.json');
  const big = weightFootprint(normalizeConfig(LLAMA_405B_SHAPE, 'config.json'), 'float32');
  assert.equal(big.parameters, 405_853_388_800);
  assert.equal(big.largest.name, 'model.embed_tokens.weight');
});

test('config values outside their range are refused by file, key, value and range', () => {
  refused(
    { ...LLAMA_32_1B, num_hidden_layers: 1_000_000_000 },
    /^\/m\/config\.json: "num_hidden_layers" is 1000000000, outside the supported range 1\.\.1024; fix config\.json/,
  );
  const cases: Array<[string, unknown, RegExp]> = [
    ['hidden_size', 10_000_000, /"hidden_size" is 10000000, outside the supported range 1\.\.65536/],
    ['intermediate_size', 1e9, /"intermediate_size" is 1000000000, outside .* 1\.\.262144/],
    ['vocab_size', 2 ** 40, /"vocab_size" is 1099511627776, outside .* 2\.\.1048576/],
    ['max_position_embeddings', 1e12, /"max_position_embeddings" is 1000000000000, outside .* 1\.\.16777216/],
    ['head_dim', 1 << 20, /"head_dim" is 1048576, outside .* 2\.\.1024/],
    ['rope_theta', 1e300, /"rope_theta" is 1e\+300, outside .* 1\.\.1000000000000/],
    ['rms_norm_eps', 1e5, /"rms_norm_eps" is 100000, outside .* 1e-12\.\.0\.5/],
    ['eos_token_id', 500_000, /"eos_token_id" is 500000, outside the vocabulary \(vocab_size 128256/],
    ['pad_token_id', 128_256, /"pad_token_id" is 128256, outside the vocabulary/],
  ];
  for (const [key, value, pattern] of cases) refused({ ...LLAMA_32_1B, [key]: value }, pattern);
  refused(
    { ...LLAMA_32_1B, num_attention_heads: 4096, num_key_value_heads: 4096, head_dim: 64 },
    /"num_attention_heads" is 4096, outside .* 1\.\.1024/,
  );
  refused(
    { ...LLAMA_32_1B, num_key_value_heads: 64 },
    /"num_key_value_heads" \(64\) exceeds "num_attention_heads" \(32\)|must be a multiple/,
  );
  refused(
    { ...LLAMA_32_1B, rope_scaling: { ...LLAMA_32_1B.rope_scaling, factor: 1e9 } },
    /"rope_scaling\.factor" is 1000000000, outside .* 0\.001\.\.4096/,
  );
  refused(
    {
      ...LLAMA_32_1B,
      rope_scaling: { ...LLAMA_32_1B.rope_scaling, original_max_position_embeddings: 2 ** 40 },
    },
    /"rope_scaling\.original_max_position_embeddings" is 1099511627776/,
  );
  const { head_dim: _, ...noHeadDim } = LLAMA_32_1B;
  refused(
    { ...noHeadDim, hidden_size: 2050 },
    /"hidden_size" \(2050\) is not divisible by "num_attention_heads" \(32\) and there is no "head_dim"/,
  );
  refused(
    { ...noHeadDim, hidden_size: 16, num_attention_heads: 32, num_key_value_heads: 8 },
    /"hidden_size" \(16\) is not divisible by "num_attention_heads" \(32\)/,
  );
  const { rope_scaling: __, rope_theta: ___, ...noRope } = LLAMA_32_1B;
  refused({ ...noRope, rope_parameters: [] }, /"rope_parameters" must be an object, got \[\]/);
  refused(
    { ...noRope, rope_parameters: { rope_type: 'default', rope_theta: -5 } },
    /"rope_parameters\.rope_theta" must be a number in 1\.\.1000000000000, got -5/,
  );
  refused(
    { ...noRope, rope_parameters: { rope_type: 'default', rope_theta: 1e20 } },
    /"rope_parameters\.rope_theta" is 100000000000000000000, outside the supported range/,
  );
  normalizeConfig(
    { ...noRope, rope_parameters: { rope_type: 'default', rope_theta: 500000 } },
    'config.json',
  );
  refused(
    { ...LLAMA_32_1B, vocab_size: Number.POSITIVE_INFINITY },
    /"vocab_size" must be a positive integer, got Infinity/,
  );
  assert.equal(Object.keys(CONFIG_BOUNDS).length, 8);
});

test('a billion-layer config.json is refused by readModelConfig, and so by every command that reads it', () => {
  const dir = join(root, 'huge-layers');
  writeFixture(dir, 'llama-tiny');
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 1e9 }));
  assert.throws(() => readModelConfig(dir), /"num_hidden_layers" is 1000000000, outside the supported range/);
  assert.throws(() => loadCheckpoint(dir), /"num_hidden_layers" is 1000000000/);
});

test('weights larger than the machine are refused before any file is read, with the numbers', () => {
  const config405 = normalizeConfig(LLAMA_405B_SHAPE, 'config.json');
  assert.throws(
    () => checkWeightsFit(config405, 'float32', '/models/405b', 64 * 1024 ** 3),
    /^CheckpointError: \/models\/405b: the model has 405,853,388,800 parameters, which need 1511\.9 GiB as float32, but this machine has 64\.0 GiB of memory; use a smaller model/,
  );
  checkWeightsFit(normalizeConfig(LLAMA_32_1B, 'config.json'), 'float32', '/m', 64 * 1024 ** 3);
  // In range key by key, but 1024 layers of 65536 x 262144 MLPs: far beyond any machine. No weights exist.
  const dir = join(root, 'too-big');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      ...LLAMA_32_1B,
      num_hidden_layers: 1024,
      hidden_size: 65536,
      intermediate_size: 262144,
      num_attention_heads: 512,
      num_key_value_heads: 8,
      head_dim: 128,
    }),
  );
  assert.throws(
    () => loadCheckpoint(dir),
    (e: Error) =>
      e instanceof CheckpointError &&
      /too-big: the model has [\d,]+ parameters, which need [\d.]+ GiB as float32, but this machine has [\d.]+ GiB of memory/.test(
        e.message,
      ),
  );
});

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, `mkfifo failed: ${r.stderr}`);
}

test('folders, FIFOs and devices in place of model files are refused without blocking', {
  timeout: 20_000,
}, () => {
  const dir = join(root, 'odd-files');
  writeFixture(dir, 'llama-tiny');
  const weights = join(dir, 'model.safetensors');
  rmSync(weights);
  mkdirSync(weights);
  assert.throws(
    () => loadCheckpoint(dir),
    (e: Error) =>
      e instanceof CheckpointError &&
      e.message.startsWith(`${weights} is a folder, not a regular file; a model folder holds plain files`),
  );
  rmSync(weights, { recursive: true });
  mkfifo(weights);
  assert.throws(() => loadCheckpoint(dir), /model\.safetensors is a FIFO \(named pipe\), not a regular file/);
  assert.throws(() => readHeader(weights), /is a FIFO/);
  rmSync(weights);
  symlinkSync('model.safetensors', weights);
  assert.throws(() => loadCheckpoint(dir), /model\.safetensors is a symbolic link that loops \(ELOOP\)/);
  rmSync(weights);

  const config = join(dir, 'config.json');
  const text = readFileSync(config, 'utf8');
  rmSync(config);
  mkfifo(config);
  assert.throws(() => readModelConfig(dir), /config\.json is a FIFO \(named pipe\), not a regular file/);
  rmSync(config);
  symlinkSync('/dev/zero', config);
  assert.throws(() => readModelConfig(dir), /config\.json is a device, not a regular file/);
  rmSync(config);
  mkdirSync(config);
  assert.throws(() => readModelConfig(dir), /config\.json is a folder, not a regular file/);
  rmSync(config, { recursive: true });
  writeFileSync(config, `${text}${' '.repeat(17 * 1024 * 1024)}`);
  assert.throws(
    () => readModelConfig(dir),
    /config\.json is \d+ bytes, more than the 16777216 this file may have/,
  );
  writeFileSync(config, text);

  const index = join(dir, 'model.safetensors.index.json');
  mkfifo(index);
  assert.throws(() => loadCheckpoint(dir), /model\.safetensors\.index\.json is a FIFO/);
  rmSync(index);
  writeFileSync(index, JSON.stringify({ weight_map: { 'model.norm.weight': '..' } }));
  assert.throws(() => loadCheckpoint(dir), /is a folder, not a regular file/);
  writeFileSync(index, JSON.stringify({ weight_map: [] }));
  assert.throws(() => loadCheckpoint(dir), /is not a valid safetensors index \(no "weight_map" object\)/);
  writeFileSync(index, 'null');
  assert.throws(() => loadCheckpoint(dir), /is not a valid safetensors index/);
});

test('saving copies tokenizer files only when they are regular files, and a FIFO model path is named', {
  timeout: 20_000,
}, () => {
  const source = join(root, 'tokenizer-source');
  const written = writeFixture(source, 'llama-tiny');
  rmSync(join(source, 'tokenizer.json'));
  mkfifo(join(source, 'tokenizer.json'));
  const weights = new Map([...written.weights].map(([k, v]) => [k, v]));
  assert.throws(
    () =>
      saveCheckpoint(join(root, 'saved'), written.config, weights, {
        dtype: 'float32',
        tokenizerFrom: source,
      }),
    /tokenizer\.json is a FIFO \(named pipe\), not a regular file/,
  );
  const fifo = join(root, 'model-fifo');
  mkfifo(fifo);
  assert.throws(() => readModelConfig(fifo), /model-fifo is a FIFO \(named pipe\); pass the model folder/);
});

test('loadTokenizer (CLI and language server) refuses FIFO, device and folder tokenizer files without blocking', {
  timeout: 20_000,
}, async () => {
  const dir = join(root, 'tokenizer-odd');
  writeFixture(dir, 'llama-tiny');
  const file = join(dir, 'tokenizer.json');
  rmSync(file);
  mkfifo(file);
  await assert.rejects(
    loadTokenizer(dir),
    (e: Error) =>
      e instanceof TokenizerLoadError &&
      /tokenizer\.json is a FIFO \(named pipe\), not a regular file/.test(e.message),
  );
  rmSync(file);
  symlinkSync('/dev/zero', file);
  await assert.rejects(loadTokenizer(dir), /tokenizer\.json is a device, not a regular file/);
  rmSync(file);
  writeFileSync(file, '{}');
  rmSync(join(dir, 'tokenizer_config.json'));
  mkdirSync(join(dir, 'tokenizer_config.json'));
  await assert.rejects(loadTokenizer(dir), /tokenizer_config\.json is a folder, not a regular file/);
});
