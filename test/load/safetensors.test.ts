// Tests for the safetensors reader and writer (server/runtime/load): round trips in every dtype, sharding
// with an index, integer tensors, metadata, and clear errors for truncated, corrupt or inconsistent files.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../../server/common/random';
import { buildHeader, CheckpointError } from '../../server/runtime/load/format';
import { indexCheckpoint, readAllFloat, readHeader, TensorReader } from '../../server/runtime/load/reader';
import { planShards, writeSafetensors, writeShardedSafetensors } from '../../server/runtime/load/writer';

const root = mkdtempSync(join(tmpdir(), 'propmend-st-'));
after(() => rmSync(root, { recursive: true, force: true }));

function randomTensors(seed: number) {
  const rng = new Rng(seed);
  const shapes: Array<[string, number[]]> = [
    ['a.weight', [3, 5]],
    ['b.bias', [7]],
    ['c.scalar', []],
    ['d.empty', [0, 4]],
    ['e.big', [33, 17]],
  ];
  return shapes.map(([name, shape]) => {
    const n = shape.reduce((x, y) => x * y, 1);
    return { name, shape, data: Float32Array.from({ length: n }, () => rng.normal() * 3) };
  });
}

test('float32 round trip is bit-exact, to float32 and widened to float64', () => {
  const tensors = randomTensors(1);
  const file = join(root, 'f32.safetensors');
  writeSafetensors(file, tensors, 'F32', { metadata: { format: 'pt', note: 'hi' } });
  const back = readAllFloat(file, 'float32');
  assert.deepEqual(back.metadata, { format: 'pt', note: 'hi' });
  for (const t of tensors) {
    assert.deepEqual(back.tensors.get(t.name)?.shape, t.shape);
    assert.deepEqual(back.tensors.get(t.name)?.data, t.data);
  }
  const wide = readAllFloat(file, 'float64');
  assert.deepEqual(wide.tensors.get('e.big')?.data, Float64Array.from(tensors[4]?.data ?? []));
  assert.equal(readdirSync(root).filter((f) => f.endsWith('.tmp')).length, 0, 'no temp file left behind');
});

/**
 * The checks the reference (Rust) safetensors loader applies before Python transformers sees a tensor: the header
 * is a JSON object, its entries tile the data section from byte 0 with no gap or overlap, and nothing trails.
 */
function assertStrictlyValid(file: string): void {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal(n % 8, 0, `${file}: header length ${n} is not a multiple of 8`);
  assert.equal(bytes[8], 0x7b, 'the header starts with {');
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { data_offsets: [number, number] }
  >;
  const entries = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .map(([, v]) => v.data_offsets)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cursor = 0;
  for (const [begin, end] of entries) {
    assert.equal(begin, cursor, 'tensors tile the data section without gaps');
    cursor = end;
  }
  assert.equal(cursor, bytes.byteLength - 8 - n, 'the last tensor ends at the end of the file');
}

test('written files pass the strict layout checks of the reference loader, single and sharded', () => {
  const single = join(root, 'strict.safetensors');
  writeSafetensors(single, randomTensors(9), 'BF16', { metadata: { format: 'pt' } });
  assertStrictlyValid(single);
  const dir = join(root, 'strict-sharded');
  const files = writeShardedSafetensors(dir, randomTensors(9), 'F16', { maxShardBytes: 40 });
  for (const f of files.filter((f) => f.endsWith('.safetensors'))) assertStrictlyValid(join(dir, f));
});

test('the header is 8-byte aligned JSON with back-to-back offsets in the given order', () => {
  const file = join(root, 'layout.safetensors');
  writeSafetensors(file, randomTensors(2), 'BF16');
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal(n % 8, 0);
  const json = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  assert.deepEqual(json['a.weight'], { dtype: 'BF16', shape: [3, 5], data_offsets: [0, 30] });
  assert.deepEqual(json['b.bias'].data_offsets, [30, 44]);
  assert.equal(bytes.byteLength, 8 + n + 2 * (15 + 7 + 1 + 0 + 33 * 17));
  assert.equal(json.__metadata__, undefined, 'no metadata entry unless asked for');
});

for (const dtype of ['F16', 'BF16'] as const) {
  test(`${dtype} round trip: values read back are the nearest ${dtype} values, exactly`, () => {
    const tensors = randomTensors(3);
    const file = join(root, `${dtype}.safetensors`);
    writeSafetensors(file, tensors, dtype);
    const back = readAllFloat(file, 'float32');
    const again = join(root, `${dtype}-again.safetensors`);
    writeSafetensors(
      again,
      [...back.tensors].map(([name, t]) => ({ name, ...t })),
      dtype,
    );
    assert.deepEqual(
      readFileSync(again),
      readFileSync(file),
      'rounded values are fixed points of the encoder',
    );
    const src = tensors[4]?.data as Float32Array;
    const got = back.tensors.get('e.big')?.data as Float32Array;
    const rel = dtype === 'F16' ? 2 ** -11 : 2 ** -8;
    for (let i = 0; i < src.length; i++) {
      assert.ok(Math.abs((got[i] as number) - (src[i] as number)) <= rel * Math.abs(src[i] as number) + 1e-7);
    }
    const wide = readAllFloat(file, 'float64').tensors.get('e.big')?.data;
    assert.deepEqual(wide, Float64Array.from(got));
  });
}

test('tensors may be produced lazily, one at a time', () => {
  const produced: string[] = [];
  const file = join(root, 'lazy.safetensors');
  const written: string[] = [];
  writeSafetensors(
    file,
    ['x', 'y'].map((name) => ({
      name,
      shape: [2],
      data: () => {
        produced.push(name);
        return Float64Array.of(1.5, -2);
      },
    })),
    'F32',
    { onTensor: (name) => written.push(name) },
  );
  assert.deepEqual(produced, ['x', 'y']);
  assert.deepEqual(written, ['x', 'y']);
  assert.deepEqual(readAllFloat(file).tensors.get('y')?.data, Float32Array.of(1.5, -2));
  assert.throws(
    () =>
      writeSafetensors(
        join(root, 'bad.safetensors'),
        [{ name: 'z', shape: [3], data: new Float32Array(2) }],
        'F32',
      ),
    /tensor "z" has 2 values but shape \[3\] needs 3/,
  );
  assert.deepEqual(
    readdirSync(root).filter((f) => f.includes('bad.safetensors')),
    [],
    'a failed write leaves neither the target nor its temp file',
  );
});

test('a TensorFill is asked for consecutive chunks and its values land in order', () => {
  const file = join(root, 'fill.safetensors');
  const n = 5_000_001; // more than one 4M-element write chunk
  const starts: number[] = [];
  writeSafetensors(
    file,
    [
      {
        name: 'ramp',
        shape: [n],
        data: {
          fill: (start: number, out: Float32Array) => {
            starts.push(start);
            for (let i = 0; i < out.length; i++) out[i] = (start + i) % 256;
          },
        },
      },
    ],
    'BF16',
  );
  assert.deepEqual(starts, [0, 4 * 1024 * 1024]);
  const got = readAllFloat(file).tensors.get('ramp')?.data as Float32Array;
  assert.equal(got.length, n);
  for (const i of [0, 255, 256, 4 * 1024 * 1024 - 1, 4 * 1024 * 1024, n - 1])
    assert.equal(got[i], i % 256, `element ${i}`);
});

test('sharding splits in order, writes an index, and the folder reads back as one checkpoint', () => {
  const dir = join(root, 'sharded');
  const tensors = randomTensors(4);
  const plan = planShards(tensors, 'F32', 70);
  assert.deepEqual(plan.groups, [[0], [1, 2, 3], [4]]);
  const files = writeShardedSafetensors(dir, tensors, 'F32', {
    maxShardBytes: 70,
    metadata: { format: 'pt' },
  });
  assert.deepEqual(files, [
    'model-00001-of-00003.safetensors',
    'model-00002-of-00003.safetensors',
    'model-00003-of-00003.safetensors',
    'model.safetensors.index.json',
  ]);
  const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
  assert.equal(index.metadata.total_size, 4 * (15 + 7 + 1 + 33 * 17));
  assert.equal(index.weight_map['b.bias'], 'model-00002-of-00003.safetensors');
  const { tensors: found } = indexCheckpoint(dir);
  assert.deepEqual([...found.keys()].sort(), tensors.map((t) => t.name).sort());
  const reader = new TensorReader();
  try {
    for (const t of tensors) assert.deepEqual(reader.readFloat(found.get(t.name)!, 'float32'), t.data);
  } finally {
    reader.close();
  }
  assert.deepEqual(planShards(tensors, 'F32', 1e9).files, ['model.safetensors']);
});

test('integer tensors (I64, I32) are read as they are', () => {
  const header = buildHeader([
    { name: 'ids', dtype: 'I64', shape: [3] },
    { name: 'small', dtype: 'I32', shape: [2] },
  ]);
  const file = join(root, 'ints.safetensors');
  const data = new Uint8Array(header.dataBytes);
  new BigInt64Array(data.buffer, 0, 3).set([1n, -2n, 2n ** 40n]);
  new Int32Array(data.buffer, 24, 2).set([7, -9]);
  writeFileSync(file, Buffer.concat([header.bytes, data]));
  const h = readHeader(file);
  const reader = new TensorReader();
  const src = (name: string) => ({ file, dataOffset: h.dataOffset, info: h.tensors.get(name)! });
  assert.deepEqual(reader.readInt(src('ids')), BigInt64Array.of(1n, -2n, 2n ** 40n));
  assert.deepEqual(reader.readInt(src('small')), Int32Array.of(7, -9));
  assert.throws(() => reader.readFloat(src('ids'), 'float32'), /dtype I64, not a float type/);
  reader.close();
});

test('float64 tensors read as float64 exactly and narrow to float32 by rounding to nearest', () => {
  const header = buildHeader([{ name: 'x', dtype: 'F64', shape: [3] }]);
  const file = join(root, 'f64.safetensors');
  const values = Float64Array.of(0.1, -1 / 3, 1e-300);
  writeFileSync(file, Buffer.concat([header.bytes, new Uint8Array(values.buffer)]));
  assert.deepEqual(readAllFloat(file, 'float64').tensors.get('x')?.data, values);
  assert.deepEqual(readAllFloat(file, 'float32').tensors.get('x')?.data, Float32Array.from(values));
});

test('truncated and corrupt files give errors naming the file and the problem', () => {
  const good = join(root, 'good.safetensors');
  writeSafetensors(good, randomTensors(5), 'F32');
  const bytes = readFileSync(good);
  const variant = (name: string, content: Uint8Array) => {
    const file = join(root, name);
    writeFileSync(file, content);
    return file;
  };
  const cut = variant('cut.safetensors', bytes);
  truncateSync(cut, bytes.byteLength - 10);
  assert.throws(
    () => readHeader(cut),
    (e: Error) => {
      assert.ok(e instanceof CheckpointError);
      assert.match(e.message, /cut\.safetensors is truncated: tensor "e\.big" ends at data byte/);
      return true;
    },
  );
  assert.throws(
    () => readHeader(variant('tiny.safetensors', bytes.subarray(0, 5))),
    /tiny\.safetensors is truncated: 5 bytes/,
  );
  const lfs = variant('lfs.safetensors', Buffer.from('version https://git-lfs.github.com/spec/v1\n'));
  assert.throws(() => readHeader(lfs), /lfs\.safetensors is not a safetensors file.*LFS pointer/);
  const badJson = Buffer.from(bytes);
  badJson[9] = 0x7b; // '{{' breaks the JSON
  assert.throws(
    () => readHeader(variant('json.safetensors', badJson)),
    /json\.safetensors has a corrupt safetensors header/,
  );

  const craft = (name: string, header: object, dataBytes: number) => {
    const text = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(text.byteLength));
    return variant(name, Buffer.concat([len, text, Buffer.alloc(dataBytes)]));
  };
  assert.throws(
    () => readHeader(craft('u8.safetensors', { x: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, 2)),
    /tensor "x" has dtype "U8".*valid: F64, F32, F16, BF16, I64, I32/,
  );
  assert.throws(
    () => readHeader(craft('size.safetensors', { x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4)),
    /tensor "x" has 4 data bytes but F32 \[2\] needs 8/,
  );
  assert.throws(
    () =>
      readHeader(
        craft(
          'overlap.safetensors',
          {
            x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
          },
          12,
        ),
      ),
    /tensors "x" and "y" overlap/,
  );
});

test('folder discovery: missing weights, pickles, ambiguous files and broken indexes are explained', () => {
  assert.throws(() => indexCheckpoint(join(root, 'absent')), /model folder .*absent does not exist/);
  const pickles = join(root, 'pickles');
  writeShardedSafetensors(pickles, randomTensors(6), 'F32', { maxShardBytes: 1e9 });
  assert.ok(indexCheckpoint(pickles).tensors.has('e.big'));
  writeFileSync(join(pickles, 'pytorch_model.bin'), '');
  rmSync(join(pickles, 'model.safetensors'));
  assert.throws(
    () => indexCheckpoint(pickles),
    /no model\.safetensors.*found pytorch_model\.bin.*safe_serialization=True/,
  );

  const two = join(root, 'two');
  writeSafetensors(join(two, 'a.safetensors'), randomTensors(7), 'F32');
  writeSafetensors(join(two, 'b.safetensors'), randomTensors(7), 'F32');
  assert.throws(
    () => indexCheckpoint(two),
    /several \.safetensors files \(a\.safetensors, b\.safetensors\) but no model\.safetensors\.index\.json/,
  );
  rmSync(join(two, 'b.safetensors'));
  assert.ok(indexCheckpoint(two).tensors.has('a.weight'), 'a lone differently named file is used');

  const sharded = join(root, 'broken-index');
  writeShardedSafetensors(sharded, randomTensors(8), 'F32', { maxShardBytes: 70 });
  const indexPath = join(sharded, 'model.safetensors.index.json');
  const index = JSON.parse(readFileSync(indexPath, 'utf8'));
  index.weight_map['ghost.weight'] = 'model-00001-of-00003.safetensors';
  writeFileSync(indexPath, JSON.stringify(index));
  assert.throws(
    () => indexCheckpoint(sharded),
    /maps "ghost\.weight" to model-00001-of-00003\.safetensors, but that shard has no such tensor/,
  );
  delete index.weight_map['ghost.weight'];
  writeFileSync(indexPath, JSON.stringify(index));
  rmSync(join(sharded, 'model-00003-of-00003.safetensors'));
  assert.throws(
    () => indexCheckpoint(sharded),
    /lists shard model-00003-of-00003\.safetensors for "e\.big", but .* is missing/,
  );
  writeFileSync(indexPath, '{"metadata": {}}');
  assert.throws(
    () => indexCheckpoint(sharded),
    /is not a valid safetensors index \(no "weight_map" object\)/,
  );
});
