// Tests for config normalisation (server/runtime/models/{config,registry,llama,qwen2}.ts) on the real
// Llama-3.2-1B and Qwen2.5-1.5B configs, parameter-name schemes with known parameter counts, rotary
// frequencies (rope.ts) against hand-computed values, and the errors for unsupported configs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckpointError } from '../../server/runtime/load/format';
import { formatConfigJson, type ModelConfig } from '../../server/runtime/models/config';
import { configJson, normalizeConfig, parameterNames } from '../../server/runtime/models/registry';
import { ropeCosSin, ropeInverseFrequencies } from '../../server/runtime/models/rope';
import { LLAMA_32_1B, QWEN25_15B } from '../support/published-configs';

const count = (c: ModelConfig) =>
  parameterNames(c).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);

test('Llama-3.2-1B normalises to its known shape, 146 tensors and 1,235,814,400 parameters', () => {
  const c = normalizeConfig(LLAMA_32_1B, 'llama/config.json');
  assert.equal(c.family, 'llama');
  assert.deepEqual(
    [c.vocabSize, c.hiddenSize, c.intermediateSize, c.numLayers, c.numHeads, c.numKvHeads, c.headDim],
    [128256, 2048, 8192, 16, 32, 8, 64],
  );
  assert.deepEqual(c.ropeScaling, {
    type: 'llama3',
    factor: 32,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositionEmbeddings: 8192,
  });
  assert.equal(c.ropeTheta, 500000);
  assert.equal(c.rmsNormEps, 1e-5);
  assert.equal(c.tieWordEmbeddings, true);
  assert.deepEqual([c.qkvBias, c.oBias, c.mlpBias], [false, false, false]);
  assert.deepEqual(
    [c.bosTokenId, c.eosTokenIds, c.padTokenId, c.torchDtype],
    [128000, [128001], null, 'bfloat16'],
  );
  const names = parameterNames(c);
  assert.equal(names.length, 1 + 16 * 9 + 1);
  assert.equal(count(c), 1_235_814_400);
  assert.deepEqual(names[0], { name: 'model.embed_tokens.weight', shape: [128256, 2048] });
  assert.deepEqual(
    names.slice(1, 10).map((p) => p.name.replace('model.layers.0.', '')),
    [
      'input_layernorm.weight',
      'self_attn.q_proj.weight',
      'self_attn.k_proj.weight',
      'self_attn.v_proj.weight',
      'self_attn.o_proj.weight',
      'post_attention_layernorm.weight',
      'mlp.gate_proj.weight',
      'mlp.up_proj.weight',
      'mlp.down_proj.weight',
    ],
  );
  assert.deepEqual(names.find((p) => p.name === 'model.layers.10.mlp.down_proj.weight')?.shape, [2048, 8192]);
  assert.deepEqual(
    names.find((p) => p.name === 'model.layers.3.self_attn.k_proj.weight')?.shape,
    [512, 2048],
  );
  assert.equal(names.at(-1)?.name, 'model.norm.weight');
});

test('Qwen2.5-1.5B normalises with q/k/v biases, 338 tensors and 1,543,714,304 parameters', () => {
  const c = normalizeConfig(QWEN25_15B, 'qwen/config.json');
  assert.equal(c.family, 'qwen2');
  assert.deepEqual([c.qkvBias, c.oBias, c.mlpBias], [true, false, false]);
  assert.deepEqual([c.numHeads, c.numKvHeads, c.headDim], [12, 2, 128]);
  assert.deepEqual(c.ropeScaling, { type: 'none' });
  assert.equal(c.ropeTheta, 1e6);
  const names = parameterNames(c);
  assert.equal(names.length, 338);
  assert.equal(count(c), 1_543_714_304);
  assert.deepEqual(names.find((p) => p.name === 'model.layers.0.self_attn.k_proj.bias')?.shape, [256]);
  assert.equal(
    names.some((p) => p.name.includes('o_proj.bias') || p.name === 'lm_head.weight'),
    false,
  );
  const untied = normalizeConfig({ ...QWEN25_15B, tie_word_embeddings: false }, 'q');
  assert.deepEqual(parameterNames(untied).at(-1), { name: 'lm_head.weight', shape: [151936, 1536] });
});

test('Llama attention_bias and mlp_bias add biases to every projection; defaults follow Hugging Face', () => {
  const c = normalizeConfig(
    {
      model_type: 'llama',
      vocab_size: 10,
      hidden_size: 8,
      intermediate_size: 12,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      attention_bias: true,
      mlp_bias: true,
    },
    'c.json',
  );
  assert.deepEqual(
    [c.numKvHeads, c.headDim, c.rmsNormEps, c.ropeTheta, c.tieWordEmbeddings],
    [2, 4, 1e-6, 10000, false],
  );
  assert.deepEqual([c.bosTokenId, c.eosTokenIds, c.maxPositionEmbeddings], [1, [2], 2048]);
  const biases = parameterNames(c).filter((p) => p.name.endsWith('.bias'));
  assert.deepEqual(
    biases.map((p) => `${p.name.split('.').at(-2)}:${p.shape[0]}`),
    ['q_proj:8', 'k_proj:8', 'v_proj:8', 'o_proj:8', 'gate_proj:12', 'up_proj:12', 'down_proj:8'],
  );
});

test('architectures pick the family when model_type is missing; eos lists and nested rope_parameters are read', () => {
  const { model_type: _drop, ...noType } = LLAMA_32_1B;
  assert.equal(normalizeConfig(noType, 'x').family, 'llama');
  const c = normalizeConfig({ ...LLAMA_32_1B, eos_token_id: [128001, 128008, 128009] }, 'x');
  assert.deepEqual(c.eosTokenIds, [128001, 128008, 128009]);
  const { rope_scaling: _r, rope_theta: _t, ...rest } = LLAMA_32_1B;
  const nested = normalizeConfig(
    { ...rest, rope_parameters: { rope_type: 'linear', factor: 2.0, rope_theta: 12345.0 } },
    'x',
  );
  assert.deepEqual([nested.ropeTheta, nested.ropeScaling], [12345, { type: 'linear', factor: 2 }]);
});

test('unsupported or broken configs are refused with the key, the file and the valid values', () => {
  const bad = (patch: Record<string, unknown>, re: RegExp, base: Record<string, unknown> = LLAMA_32_1B) =>
    assert.throws(
      () => normalizeConfig({ ...base, ...patch }, '/m/config.json'),
      (e: Error) => e instanceof CheckpointError && re.test(e.message),
    );
  bad(
    { model_type: 'gpt2' },
    /\/m\/config\.json: model_type "gpt2" is not supported \(supported: llama, qwen2\)/,
  );
  bad(
    { model_type: undefined, architectures: ['MambaForCausalLM'] },
    /no model_type and its architectures \(MambaForCausalLM\) are not supported.*LlamaForCausalLM, Qwen2ForCausalLM/,
  );
  bad({ hidden_size: undefined }, /has no "hidden_size"/);
  bad({ hidden_size: 20.5 }, /"hidden_size" must be a positive integer, got 20\.5/);
  bad(
    { num_key_value_heads: 5 },
    /num_attention_heads \(32\) must be a multiple of num_key_value_heads \(5\)/,
  );
  bad({ head_dim: 63 }, /head_dim \(63\) must be even/);
  bad({ hidden_act: 'gelu' }, /hidden_act "gelu" is not supported.*valid: silu/);
  bad(
    { rope_scaling: { rope_type: 'yarn', factor: 4 } },
    /rope_scaling type "yarn" is not supported \(valid: default, linear, llama3\)/,
  );
  bad(
    { rope_scaling: { rope_type: 'llama3', factor: 8 } },
    /needs "low_freq_factor"|original_max_position_embeddings/,
  );
  bad({ tie_word_embeddings: 'yes' }, /"tie_word_embeddings" must be true or false/);
  bad(
    { use_sliding_window: true },
    /use_sliding_window is true.*set "use_sliding_window": false/,
    QWEN25_15B,
  );
  assert.throws(() => normalizeConfig([1, 2], 'arr.json'), /arr\.json must hold a JSON object/);
});

test('saving a config keeps unknown keys, sets torch_dtype and writes floats as Python does', () => {
  const c = normalizeConfig(LLAMA_32_1B, 'x');
  const json = configJson(c, 'float32');
  assert.equal(json.torch_dtype, 'float32');
  assert.equal(json.pretraining_tp, 1);
  assert.equal(json.transformers_version, '4.45.0.dev0');
  assert.deepEqual(normalizeConfig(json, 'y'), { ...c, torchDtype: 'float32', raw: json });
  const text = formatConfigJson(json);
  assert.match(text, /"rope_theta": 500000\.0,/);
  assert.match(text, /"factor": 32\.0,/);
  assert.match(text, /"original_max_position_embeddings": 8192,?\n/);
  assert.match(text, /"num_hidden_layers": 16,/);
  assert.deepEqual(JSON.parse(text), json);
  const qwen = configJson(normalizeConfig(QWEN25_15B, 'q'), 'bfloat16');
  assert.equal(qwen.use_sliding_window, false);
  assert.equal(qwen.rope_scaling, null);
});

test('rotary frequencies: default, linear and llama3 scaling against hand-computed values', () => {
  const base = { headDim: 16, ropeTheta: 10000 };
  const plain = ropeInverseFrequencies({ ...base, ropeScaling: { type: 'none' } });
  assert.equal(plain.length, 8);
  for (const [i, f] of plain.entries()) assert.ok(Math.abs(f - 10000 ** (-i / 8)) < 1e-18);
  const linear = ropeInverseFrequencies({ ...base, ropeScaling: { type: 'linear', factor: 4 } });
  for (const [i, f] of linear.entries()) assert.equal(f, (plain[i] as number) / 4);
  const llama3 = ropeInverseFrequencies({
    ...base,
    ropeScaling: {
      type: 'llama3',
      factor: 4,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 64,
    },
  });
  // Wavelengths 2*pi/f: 6.28 (< 16, kept), 19.9 and 62.8 (between 16 and 64, interpolated), >= 199 (divided by 4).
  assert.equal(llama3[0], 1);
  const smooth = (f: number) => {
    const s = (64 / ((2 * Math.PI) / f) - 1) / 3;
    return ((1 - s) * f) / 4 + s * f;
  };
  assert.ok(Math.abs((llama3[1] as number) - smooth(10000 ** -0.125)) < 1e-16);
  assert.ok(Math.abs((llama3[1] as number) - 0.25465) < 1e-5, 'about 0.2547 by hand');
  assert.ok(Math.abs((llama3[2] as number) - smooth(0.1)) < 1e-16);
  for (let i = 3; i < 8; i++) assert.equal(llama3[i], (plain[i] as number) / 4);

  const real = ropeInverseFrequencies(normalizeConfig(LLAMA_32_1B, 'x'));
  assert.equal(real.length, 32);
  assert.equal(real[0], 1);
  assert.ok(Math.abs((real[31] as number) - 500000 ** (-62 / 64) / 32) < 1e-22);
});

test('cos/sin tables are [T, headDim] with frequencies duplicated (rotate_half layout)', () => {
  const inv = Float64Array.of(1, 0.1, 0.01);
  const { cos, sin, headDim } = ropeCosSin(inv, [0, 5]);
  assert.equal(headDim, 6);
  assert.deepEqual([...cos.subarray(0, 6)], [1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...sin.subarray(0, 6)], [0, 0, 0, 0, 0, 0]);
  const row = [Math.cos(5), Math.cos(0.5), Math.cos(0.05)];
  assert.deepEqual([...cos.subarray(6)], [...row, ...row]);
  assert.equal(sin[6 + 4], Math.sin(0.5));
});
