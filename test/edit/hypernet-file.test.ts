// The hypernetwork checkpoint file: a bit-exact round trip with an equal header, atomic replacement only with
// force, typed errors naming the file and field for truncated or foreign files, and the compatibility check
// naming what differs when a hypernetwork meets a model it was not trained for.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OutputError } from '../../server/common/output';
import { EditFileError } from '../../server/runtime/edit/edit-file-common';
import {
  checkHypernetCompatible,
  HYPERNET_FILE,
  HYPERNET_METADATA_KEY,
  hypernetMismatches,
  loadHypernetwork,
  saveHypernetwork,
} from '../../server/runtime/edit/hypernet-file';
import { readHeader } from '../../server/runtime/load/reader';
import { writeSafetensors } from '../../server/runtime/load/writer';
import { writeFixture } from '../support/fixtures';
import { mlpTargets, randomHypernet } from './patch-fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'propmend-hypernet-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const llama = writeFixture(join(tmp, 'llama'), 'llama-tiny');
const tied = writeFixture(join(tmp, 'tied'), 'llama-tiny-tied');
const targets = mlpTargets([0, 1]);

function assertEditError(fn: () => unknown, file: string, field: string | null, message: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof EditFileError, `expected EditFileError, got ${String(error)}`);
    assert.equal(error.file, file);
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

test('a saved hypernetwork loads back bit for bit with an equal header', () => {
  const ckpt = randomHypernet(llama, targets);
  const dir = join(tmp, 'round-trip');
  const file = saveHypernetwork(dir, ckpt);
  assert.equal(file, join(dir, HYPERNET_FILE));
  const loaded = loadHypernetwork(dir);
  assert.equal(loaded.file, file);
  assert.match(loaded.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual([...loaded.tensors.keys()], [...ckpt.tensors.keys()]);
  for (const [name, t] of ckpt.tensors) {
    const back = loaded.tensors.get(name)!;
    assert.deepEqual(back.shape, t.shape, name);
    assert.deepEqual(
      Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength),
      Buffer.from(new Float32Array(t.data).buffer),
      name,
    );
  }
  const { created_at, tool_version, format_version, ...rest } = loaded.header;
  assert.deepEqual(rest, JSON.parse(JSON.stringify(ckpt.header)));
  assert.equal(format_version, 1);
  assert.match(created_at, /^\d{4}-\d\d-\d\dT/);
  assert.match(tool_version, /^\d+\.\d+\.\d+/);
  // The header is plain safetensors metadata (a string per key), which Python's safe_open(...).metadata() reads.
  const raw = readHeader(file).metadata;
  assert.equal(typeof raw[HYPERNET_METADATA_KEY], 'string');
  assert.deepEqual(JSON.parse(raw[HYPERNET_METADATA_KEY]!), JSON.parse(JSON.stringify(loaded.header)));
  assert.deepEqual(hypernetMismatches(loaded.header, llama), []);
  checkHypernetCompatible(loaded.header, llama, file);
});

test('an existing checkpoint is replaced only with force, leaving no temp files and other files alone', () => {
  const dir = join(tmp, 'force');
  const first = randomHypernet(llama, targets, 1);
  saveHypernetwork(dir, first);
  writeFileSync(join(dir, 'metrics.jsonl'), '{}\n');
  const before = readFileSync(join(dir, HYPERNET_FILE));
  assert.throws(
    () => saveHypernetwork(dir, randomHypernet(llama, targets, 2), { flag: '--out' }),
    (e: unknown) =>
      e instanceof OutputError &&
      e.message ===
        `--out ${join(dir, HYPERNET_FILE)} already exists; choose another file or pass --force to replace it`,
  );
  assert.deepEqual(readFileSync(join(dir, HYPERNET_FILE)), before);
  saveHypernetwork(dir, randomHypernet(llama, targets, 2), { force: true });
  assert.notDeepEqual(readFileSync(join(dir, HYPERNET_FILE)), before);
  assert.deepEqual(readdirSync(dir).sort(), [HYPERNET_FILE, 'metrics.jsonl']);
});

test('an invalid checkpoint is refused before anything is written', () => {
  const dir = join(tmp, 'invalid');
  const ckpt = randomHypernet(llama, targets);
  const bad = { ...ckpt, header: { ...ckpt.header, alpha: [1e-4] } };
  assertEditError(
    () => saveHypernetwork(dir, bad),
    join(dir, HYPERNET_FILE),
    'alpha',
    /"alpha" must be a list of 6 numbers/,
  );
  const tensors = new Map(ckpt.tensors);
  tensors.delete(`${ckpt.header.transforms[0]!.name}.u_std`);
  assertEditError(
    () => saveHypernetwork(dir, { header: ckpt.header, tensors }),
    join(dir, HYPERNET_FILE),
    `${ckpt.header.transforms[0]!.name}.u_std`,
    /normalisation tensor .* it is missing/,
  );
  assert.throws(() => readdirSync(dir), /ENOENT/);
});

test('a hypernetwork for another model fails naming the mismatch', () => {
  const dir = join(tmp, 'other');
  saveHypernetwork(dir, randomHypernet(llama, targets));
  const { header, file } = loadHypernetwork(dir);
  assert.throws(
    () => checkHypernetCompatible(header, tied, file),
    (e: unknown) =>
      e instanceof EditFileError &&
      e.field === 'base_model' &&
      e.message.includes('hypernetwork was trained for hidden_size 64, this model has 48') &&
      e.message.includes('hypernetwork was trained for num_layers 2, this model has 3') &&
      e.message.startsWith(file),
  );
});

test('truncated, foreign and corrupt files give typed errors naming the file and field', () => {
  const dir = join(tmp, 'corrupt');
  const file = saveHypernetwork(dir, randomHypernet(llama, targets));
  const size = readFileSync(file).byteLength;
  truncateSync(file, size - 5);
  assertEditError(() => loadHypernetwork(dir), file, null, /truncated/);
  truncateSync(file, 4);
  assertEditError(() => loadHypernetwork(dir), file, null, /truncated/);
  assertEditError(
    () => loadHypernetwork(join(tmp, 'nowhere')),
    join(tmp, 'nowhere', HYPERNET_FILE),
    null,
    /does not exist/,
  );
  const foreign = join(tmp, 'foreign.safetensors');
  writeSafetensors(foreign, [{ name: 'w', shape: [2], data: new Float32Array(2) }], 'F32', {
    metadata: { format: 'pt' },
  });
  assertEditError(
    () => loadHypernetwork(foreign),
    foreign,
    `__metadata__.${HYPERNET_METADATA_KEY}`,
    /not a hypernetwork/,
  );
  const notJson = join(tmp, 'not-json.safetensors');
  writeSafetensors(notJson, [], 'F32', { metadata: { [HYPERNET_METADATA_KEY]: '{"method": ' } });
  assertEditError(
    () => loadHypernetwork(notJson),
    notJson,
    `__metadata__.${HYPERNET_METADATA_KEY}`,
    /not valid JSON/,
  );
  const ckpt = randomHypernet(llama, targets);
  const wrongMethod = join(tmp, 'wrong-method.safetensors');
  const header = {
    ...JSON.parse(JSON.stringify(ckpt.header)),
    method: 'rome',
    format_version: 1,
    created_at: 'x',
    tool_version: 'y',
  };
  writeSafetensors(
    wrongMethod,
    [...ckpt.tensors].map(([name, t]) => ({ name, ...t })),
    'F32',
    {
      metadata: { [HYPERNET_METADATA_KEY]: JSON.stringify(header) },
    },
  );
  assertEditError(
    () => loadHypernetwork(wrongMethod),
    wrongMethod,
    'method',
    /"method" must be one of propmend, mend, got "rome"/,
  );
  const future = join(tmp, 'future.safetensors');
  writeSafetensors(future, [], 'F32', {
    metadata: { [HYPERNET_METADATA_KEY]: JSON.stringify({ ...header, format_version: 9 }) },
  });
  assertEditError(
    () => loadHypernetwork(future),
    future,
    'format_version',
    /format_version 9 is not supported/,
  );
});
