// The JSON Schemas in schemas/ describe what the code writes: a saved hypernetwork header, a patch header and
// a patch stack validate, and the schemas reject what the loaders reject (a wrong method, a missing α).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import hypernetSchema from '../../schemas/hypernet.schema.json';
import identitySchema from '../../schemas/model-identity.schema.json';
import patchSchema from '../../schemas/patch.schema.json';
import stackSchema from '../../schemas/patch-stack.schema.json';
import { HYPERNET_METADATA_KEY, saveHypernetwork } from '../../server/runtime/edit/hypernet-file';
import { loadPatch, PATCH_METADATA_KEY, saveEditPatch } from '../../server/runtime/edit/patch-file';
import { stackEntry, writePatchStack } from '../../server/runtime/edit/patch-stack';
import { readHeader } from '../../server/runtime/load/reader';
import { writeFixture } from '../support/fixtures';
import { mlpTargets, randomFactors, randomHypernet } from './patch-fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'propmend-schemas-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const ajv = new Ajv2020({
  allErrors: true,
  schemas: [identitySchema, hypernetSchema, patchSchema, stackSchema],
});
const validate = (id: string, value: unknown) => {
  const v = ajv.getSchema(`urn:propmend:schema:${id}`);
  assert.ok(v, id);
  return { ok: v(value) as boolean, errors: JSON.stringify(v.errors) };
};

test('written headers and stacks validate against their schemas, and broken ones do not', () => {
  const model = writeFixture(join(tmp, 'llama'), 'llama-tiny');
  const targets = mlpTargets([1]);
  const hyperFile = saveHypernetwork(join(tmp, 'hyper'), randomHypernet(model, targets));
  const hyper = JSON.parse(readHeader(hyperFile).metadata[HYPERNET_METADATA_KEY]!);
  let r = validate('hypernet', hyper);
  assert.ok(r.ok, r.errors);
  assert.ok(!validate('hypernet', { ...hyper, method: 'rome' }).ok);
  const { alpha: _, ...noAlpha } = hyper;
  assert.ok(!validate('hypernet', noAlpha).ok);

  const patchFile = saveEditPatch(join(tmp, 'p.edit.safetensors'), {
    fact: 'f',
    method: 'mend',
    hypernet: { file: hyperFile, sha256: 'c'.repeat(64) },
    model,
    factors: randomFactors(model, targets),
  });
  const patch = JSON.parse(readHeader(patchFile).metadata[PATCH_METADATA_KEY]!);
  r = validate('patch', patch);
  assert.ok(r.ok, r.errors);
  assert.ok(
    !validate('patch', { ...patch, base_model: { ...patch.base_model, target_weights_sha256: 'x' } }).ok,
  );

  const stackFile = join(tmp, 'stack.json');
  writePatchStack(stackFile, {
    format_version: 1,
    model: model.dir,
    patches: [stackEntry(loadPatch(patchFile))],
  });
  r = validate('patch-stack', JSON.parse(readFileSync(stackFile, 'utf8')));
  assert.ok(r.ok, r.errors);
  assert.ok(!validate('patch-stack', { format_version: 1, model: null, patches: [{ path: 'x' }] }).ok);
});
