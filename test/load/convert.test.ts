// Tests for server/runtime/load/convert.ts: float16/bfloat16 decode exactly, encode rounds to nearest even
// (checked against a brute-force nearest search), and float64 input avoids double rounding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  bf16FromBits,
  bf16ToF32,
  encode16,
  f16FromBits,
  f16ToF32,
  f64ToF32RoundOdd,
} from '../../server/runtime/load/convert';

const allPatterns = Uint16Array.from({ length: 65536 }, (_, i) => i);

function decodeAll(kind: 'F16' | 'BF16'): Float32Array {
  const out = new Float32Array(65536);
  (kind === 'F16' ? f16ToF32 : bf16ToF32)(allPatterns, out);
  return out;
}

for (const kind of ['F16', 'BF16'] as const) {
  test(`${kind}: every bit pattern decodes and re-encodes to itself (NaN stays NaN)`, () => {
    const decoded = decodeAll(kind);
    const back = new Uint16Array(65536);
    encode16(kind, decoded, back);
    const wrong: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const v = decoded[h] as number;
      if (Number.isNaN(v)) {
        if (!Number.isNaN(decoded[back[h] as number] as number)) wrong.push(`NaN ${h}`);
        continue;
      }
      if (back[h] !== h) wrong.push(`${h.toString(16)} -> ${(back[h] as number).toString(16)}`);
      if (wrong.length > 5) break;
    }
    assert.deepEqual(wrong, []);
  });
}

test('float16 decoding knows its landmarks', () => {
  const d = decodeAll('F16');
  assert.equal(d[0x3c00], 1);
  assert.equal(d[0xc000], -2);
  assert.equal(d[0x7bff], 65504);
  assert.equal(d[0x0001], 2 ** -24);
  assert.equal(d[0x7c00], Number.POSITIVE_INFINITY);
  assert.ok(Object.is(d[0x8000], -0));
  const b = decodeAll('BF16');
  assert.equal(b[0x3f80], 1);
  assert.equal(b[0x4049], 3.140625);
});

/** The representable value nearest to x among all finite patterns, ties to the even pattern. */
function nearest(x: number, table: Float32Array, sortedIdx: number[]): number {
  let lo = 0;
  let hi = sortedIdx.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((table[sortedIdx[mid] as number] as number) <= x) lo = mid;
    else hi = mid;
  }
  const a = sortedIdx[lo] as number;
  const b = sortedIdx[hi] as number;
  const da = Math.abs(x - (table[a] as number));
  const db = Math.abs(x - (table[b] as number));
  if (da < db) return a;
  if (db < da) return b;
  return (a & 1) === 0 ? a : b;
}

for (const kind of ['F16', 'BF16'] as const) {
  test(`${kind}: encoding float32 picks the nearest value, ties to even`, () => {
    const table = decodeAll(kind);
    const max = kind === 'F16' ? 65504 : 3.3e38;
    // Finite, non-negative patterns sorted by value (positive zero only); signs are symmetric.
    const idx = [...Array(32768).keys()]
      .filter((h) => Number.isFinite(table[h] as number))
      .sort((p, q) => (table[p] as number) - (table[q] as number));
    const bitsOf = new Uint32Array(1);
    const f = new Float32Array(bitsOf.buffer);
    const encodeOne = (x: number) => {
      const out = new Uint16Array(1);
      encode16(kind, Float32Array.of(x), out);
      return out[0] as number;
    };
    fc.assert(
      fc.property(fc.float({ min: 0, max: Math.fround(max), noNaN: true }), (x) => {
        const want = nearest(x, table, idx);
        const got = encodeOne(x) & 0x7fff;
        f[0] = x;
        const scalar = (kind === 'F16' ? f16FromBits : bf16FromBits)(bitsOf[0] as number) & 0x7fff;
        return got === want && scalar === want;
      }),
      { numRuns: 20000 },
    );
    // Exact ties: halfway between 1 and the next value rounds to even (1), the next halfway rounds up.
    const ulp = kind === 'F16' ? 2 ** -10 : 2 ** -7;
    assert.equal(encodeOne(1 + ulp / 2), kind === 'F16' ? 0x3c00 : 0x3f80);
    assert.equal(encodeOne(1 + (3 * ulp) / 2), kind === 'F16' ? 0x3c02 : 0x3f82);
    assert.equal(encodeOne(-(1 + ulp / 2)), kind === 'F16' ? 0xbc00 : 0xbf80);
  });
}

test('float16 overflow goes to infinity and underflow through subnormals to zero', () => {
  const enc = (x: number) => {
    const out = new Uint16Array(1);
    encode16('F16', Float32Array.of(x), out);
    return out[0] as number;
  };
  assert.equal(enc(65520), 0x7c00, '65520 is the halfway point to the next binade and ties up to infinity');
  assert.equal(enc(65519), 0x7bff);
  assert.equal(enc(1e6), 0x7c00);
  assert.equal(enc(2 ** -25), 0, 'half the smallest subnormal ties to even zero');
  assert.equal(enc(2 ** -25 * 1.0001), 1);
  assert.equal(enc(3 * 2 ** -25), 2, '1.5 subnormal ulps ties to even 2');
  assert.equal(enc(Number.NaN) & 0x7c00, 0x7c00);
});

test('float64 input is rounded once: round-to-odd prevents double rounding', () => {
  const x = 1 + 2 ** -8 + 2 ** -30; // just above the bfloat16 tie between 1 and 1 + 2^-7
  const naive = new Uint16Array(1);
  encode16('BF16', Float32Array.of(x), naive);
  assert.equal(naive[0], 0x3f80, 'the naive float32 step lands on the tie and rounds down');
  const viaOdd = new Float32Array(1);
  f64ToF32RoundOdd(Float64Array.of(x), viaOdd);
  const out = new Uint16Array(1);
  encode16('BF16', viaOdd, out);
  assert.equal(out[0], 0x3f81, 'the correctly rounded bfloat16 is 1 + 2^-7');
  const exact = new Float32Array(3);
  f64ToF32RoundOdd(Float64Array.of(0.5, -3, 1e-50), exact);
  assert.equal(exact[0], 0.5);
  assert.equal(exact[1], -3);
  assert.equal(exact[2], 2 ** -149, 'a tiny inexact value becomes the odd smallest subnormal');
});
