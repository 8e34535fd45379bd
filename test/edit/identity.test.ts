// Model identity: the target-weight hash is deterministic and sensitive to one changed value, a folder's
// identity (read tensor by tensor) equals the loaded model's, and mismatches are sentences naming the field
// and both values.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  compareIdentity,
  folderIdentity,
  identityProblems,
  modelIdentity,
} from '../../server/runtime/edit/identity';
import { loadCheckpoint } from '../../server/runtime/models/checkpoint';
import { writeFixture } from '../support/fixtures';
import { mlpTargets } from './patch-fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'propmend-identity-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const llama = writeFixture(join(tmp, 'llama'), 'llama-tiny');
const qwen = writeFixture(join(tmp, 'qwen'), 'qwen2-tiny');
const targets = mlpTargets([1]);

test('identity records sizes and target names, and hashes the target weights deterministically', () => {
  const id = modelIdentity(llama, targets);
  assert.equal(id.model_type, 'llama');
  assert.equal(id.hidden_size, 64);
  assert.equal(id.intermediate_size, 160);
  assert.equal(id.num_layers, 2);
  assert.deepEqual(
    id.target_params,
    targets.map((t) => `${t}.weight`),
  );
  assert.match(id.target_weights_sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    modelIdentity(
      llama,
      targets.map((t) => `${t}.weight`),
    ),
    id,
    'linear and parameter names agree',
  );
  const changed = new Map(llama.weights);
  const w = llama.weights.get(`${targets[2]}.weight`)!;
  const data = w.data.slice();
  data[7] = Math.fround((data[7] as number) + 1e-6);
  changed.set(`${targets[2]}.weight`, { shape: w.shape, data });
  assert.notEqual(
    modelIdentity({ config: llama.config, weights: changed }, targets).target_weights_sha256,
    id.target_weights_sha256,
  );
  const reordered = modelIdentity(llama, [targets[1]!, targets[0]!, targets[2]!]);
  assert.notEqual(
    reordered.target_weights_sha256,
    id.target_weights_sha256,
    'the order is part of the identity',
  );
});

test('a folder identity (target tensors only) equals the loaded model identity, float64 loads included', () => {
  const id = modelIdentity(llama, targets);
  assert.deepEqual(folderIdentity(llama.dir, targets), { identity: id, missing: [] });
  const f64 = loadCheckpoint(llama.dir, { dtype: 'float64' });
  assert.deepEqual(modelIdentity(f64, targets), id);
  const missing = folderIdentity(llama.dir, mlpTargets([5]));
  assert.equal(missing.identity, null);
  assert.deepEqual(
    missing.missing,
    mlpTargets([5]).map((t) => `${t}.weight`),
  );
});

test('mismatches name the field and both values', () => {
  const trained = { ...modelIdentity(llama, targets), hidden_size: 192 };
  const actual = { ...modelIdentity(llama, targets), hidden_size: 2048 };
  const found = compareIdentity(trained, actual);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.field, 'hidden_size');
  assert.equal(found[0]!.message, 'hypernetwork was trained for hidden_size 192, this model has 2048');
  const problems = identityProblems(modelIdentity(llama, targets), qwen, 'patch was made for');
  assert.ok(
    problems.some((p) => p === 'patch was made for model_type llama, this model has qwen2'),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith('patch was made for intermediate_size 160, this model has 128')),
  );
  assert.ok(
    problems.some((p) => p.includes('target weights with sha256')),
    'different weights are named',
  );
  const deep = identityProblems(modelIdentity(llama, targets), { config: qwen.config, weights: new Map() });
  assert.match(
    deep[0]!,
    /targets model\.layers\.1\.mlp\.gate_proj\.weight.*which this qwen2 model with 2 layers does not have/,
  );
});
