// Property test of the model-folder readers: random mutations of small checkpoints (bytes flipped or
// truncated anywhere in a safetensors file; its header JSON, config.json or the shard index edited key by
// key, numbers swapped for huge, negative or fractional ones) either load or fail with a CheckpointError, never another exception,
// and never allocate much more than the file holds. Seeds are fixed, so runs are reproducible.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { CheckpointError } from '../../server/runtime/load/format';
import { loadCheckpoint } from '../../server/runtime/models/checkpoint';
import { FIXTURES, type FixtureSpec, writeRandomCheckpoint } from '../support/fixtures';

const root = mkdtempSync(join(tmpdir(), 'propmend-load-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * Three small sources: a float32 Llama, a bfloat16 Qwen2 (biases, tied head), one layer each, and a
 * two-layer Llama sharded into several files with a model.safetensors.index.json.
 */
const LLAMA_SMALL: FixtureSpec = {
  ...FIXTURES['llama-tiny'],
  numLayers: 1,
  hiddenSize: 16,
  intermediateSize: 24,
  numHeads: 2,
};
const SOURCES: Array<{ spec: FixtureSpec; dtype: 'float32' | 'bfloat16'; maxShardBytes?: number }> = [
  { spec: LLAMA_SMALL, dtype: 'float32' },
  {
    spec: {
      ...FIXTURES['qwen2-tiny-tied'],
      numLayers: 1,
      hiddenSize: 16,
      intermediateSize: 24,
      numHeads: 4,
      numKvHeads: 2,
    },
    dtype: 'bfloat16',
  },
  { spec: { ...LLAMA_SMALL, numLayers: 2 }, dtype: 'bfloat16', maxShardBytes: 8000 },
];

/** A model folder as bytes per file name: JSON files (config, index) and safetensors files. */
interface Folder {
  readonly json: Map<string, string>;
  readonly weights: Map<string, Uint8Array>;
}

const ORIGINALS: Folder[] = SOURCES.map(({ spec, dtype, maxShardBytes }, i) => {
  const dir = join(root, `source-${i}`);
  writeRandomCheckpoint(dir, spec, { dtype, ...(maxShardBytes ? { maxShardBytes } : {}) });
  const names = readdirSync(dir).sort();
  return {
    json: new Map(
      names
        .filter((f) => f === 'config.json' || f === 'model.safetensors.index.json')
        .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
    ),
    weights: new Map(
      names
        .filter((f) => f.endsWith('.safetensors'))
        .map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]),
    ),
  };
});
assert.ok((ORIGINALS[2] as Folder).weights.size > 1, 'the third source is sharded');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Replacement values: wrong types, and numbers at and beyond every bound. */
const VALUES: Json[] = [
  null,
  true,
  '',
  'llama',
  [],
  {},
  [1, 'a'],
  0,
  -1,
  1.5,
  3,
  7,
  1024,
  65537,
  1e9,
  2 ** 31,
  2 ** 53,
  2 ** 64,
  1e308,
  -1e308,
];

function valuePaths(v: Json, path: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  if (path.length) out.push(path);
  if (Array.isArray(v)) for (const [i, x] of v.entries()) valuePaths(x, [...path, i], out);
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) valuePaths(x, [...path, k], out);
  return out;
}

/** Deletes the value at a path, or replaces it with VALUES[value]. */
function editJson(text: string, pick: number, value: number | 'delete'): string {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch {
    return text;
  }
  const paths = valuePaths(root);
  const path = paths[pick % Math.max(1, paths.length)];
  if (!path) return text;
  let parent = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const key = path[path.length - 1] as string | number;
  if (value === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = VALUES[value] as Json;
  return JSON.stringify(root);
}

/** A safetensors file with its header JSON replaced (the length prefix follows unless `keepLength`). */
function withHeader(bytes: Uint8Array, edit: (json: string) => string, keepLength: boolean): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const json = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const body = new TextEncoder().encode(edit(json));
  const out = new Uint8Array(8 + body.byteLength + bytes.byteLength - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(keepLength ? n : body.byteLength), true);
  out.set(body, 8);
  out.set(bytes.subarray(8 + n), 8 + body.byteLength);
  return out;
}

/** `which` picks the file among the folder's JSON files or safetensors files (modulo their count). */
type Mutation =
  | { file: 'weights'; which: number; kind: 'flip'; at: number; byte: number }
  | { file: 'weights'; which: number; kind: 'truncate'; at: number }
  | { file: 'weights'; which: number; kind: 'length'; value: bigint }
  | {
      file: 'weights';
      which: number;
      kind: 'header';
      pick: number;
      value: number | 'delete';
      keepLength: boolean;
    }
  | { file: 'json'; which: number; kind: 'flip'; at: number; byte: number }
  | { file: 'json'; which: number; kind: 'truncate'; at: number }
  | { file: 'json'; which: number; kind: 'key'; pick: number; value: number | 'delete' };

const valueIndex = fc.oneof(fc.nat(VALUES.length - 1), fc.constant('delete' as const));
const weights = fc.constant('weights' as const);
const json = fc.constant('json' as const);
const which = fc.nat(7);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ file: weights, which, kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ file: weights, which, kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    file: weights,
    which,
    kind: fc.constant('length' as const),
    value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  }),
  fc.record({
    file: weights,
    which,
    kind: fc.constant('header' as const),
    pick: fc.nat(),
    value: valueIndex,
    keepLength: fc.boolean(),
  }),
  fc.record({ file: json, which, kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ file: json, which, kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ file: json, which, kind: fc.constant('key' as const), pick: fc.nat(), value: valueIndex }),
);

function pickName(names: Iterable<string>, which: number): string {
  const list = [...names];
  return list[which % list.length] as string;
}

function apply(folder: Folder, m: Mutation): void {
  if (m.file === 'json') {
    const name = pickName(folder.json.keys(), m.which);
    const text = folder.json.get(name) as string;
    const at = (n: number) => n % (text.length + 1);
    if (m.kind === 'flip')
      folder.json.set(name, text.slice(0, at(m.at)) + String.fromCharCode(m.byte) + text.slice(at(m.at) + 1));
    else if (m.kind === 'truncate') folder.json.set(name, text.slice(0, at(m.at)));
    else folder.json.set(name, editJson(text, m.pick, m.value));
    return;
  }
  const name = pickName(folder.weights.keys(), m.which);
  const w = folder.weights.get(name) as Uint8Array;
  if (m.kind === 'flip') {
    const copy = w.slice();
    if (copy.length) copy[m.at % copy.length] = m.byte;
    folder.weights.set(name, copy);
  } else if (m.kind === 'truncate') folder.weights.set(name, w.slice(0, m.at % (w.length + 1)));
  else if (m.kind === 'length') {
    const copy = w.slice();
    if (copy.length >= 8) new DataView(copy.buffer).setBigUint64(0, m.value, true);
    folder.weights.set(name, copy);
  } else {
    try {
      folder.weights.set(
        name,
        withHeader(w, (j) => editJson(j, m.pick, m.value), m.keepLength),
      );
    } catch {
      // the prefix no longer describes a header inside the file; leave it to the other mutations
    }
  }
}

test('mutated checkpoints load or fail with a CheckpointError, within bounded memory', () => {
  let run = 0;
  const outcomes = { loaded: 0, refused: 0 };
  fc.assert(
    fc.property(
      fc.nat(SOURCES.length - 1),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      (source, ms) => {
        const original = ORIGINALS[source] as Folder;
        const folder: Folder = { json: new Map(original.json), weights: new Map(original.weights) };
        for (const m of ms) apply(folder, m);
        const dir = join(root, `run-${run++}`);
        mkdirSync(dir);
        for (const [name, text] of folder.json) writeFileSync(join(dir, name), text);
        for (const [name, bytes] of folder.weights) writeFileSync(join(dir, name), bytes);
        const stored = [...folder.weights.values()].reduce((n, b) => n + b.byteLength, 0);
        const before = process.memoryUsage().arrayBuffers;
        try {
          const loaded = loadCheckpoint(dir);
          let bytes = 0;
          for (const t of loaded.weights.values()) bytes += t.data.byteLength;
          // float32 from bfloat16 at most doubles the stored bytes
          assert.ok(bytes <= 2 * stored, `loaded ${bytes} bytes from ${stored}`);
          outcomes.loaded++;
        } catch (error) {
          if (!(error instanceof CheckpointError)) throw error;
          assert.ok(error.message.length > 0 && !error.message.includes('undefined'), error.message);
          outcomes.refused++;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        const grown = process.memoryUsage().arrayBuffers - before;
        assert.ok(grown < 64 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
      },
    ),
    { seed: 20261129, numRuns: 600 },
  );
  // Both outcomes occur: the generator reaches valid edits as well as every refusal path.
  assert.ok(outcomes.loaded > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
});
