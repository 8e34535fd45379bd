// Exact conversions between the float encodings of checkpoints and the engine's Float32/Float64 arrays:
// float16 and bfloat16 decode exactly; encoding rounds to nearest, ties to even (float64 input goes through
// float32 with round-to-odd, so the result is the correctly rounded one). Pure loops over typed arrays; no IO.

/** Every float16 bit pattern decoded once (256 KiB); decoding is then a table lookup. */
const F16_TABLE: Float32Array = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    let v: number;
    if (exp === 0) v = mant * 2 ** -24;
    else if (exp === 0x1f) v = mant === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
    else v = (1 + mant / 1024) * 2 ** (exp - 15);
    table[h] = sign * v;
  }
  return table;
})();

/** Decodes float16 bits into `dst` starting at `at`. */
export function f16ToF32(src: Uint16Array, dst: Float32Array, at = 0): void {
  const table = F16_TABLE;
  const n = src.length;
  for (let i = 0; i < n; i++) dst[at + i] = table[src[i] as number] as number;
}

/** Decodes bfloat16 bits (the top half of a float32) into `dst` starting at `at`. */
export function bf16ToF32(src: Uint16Array, dst: Float32Array, at = 0): void {
  const out = new Uint32Array(dst.buffer, dst.byteOffset + at * 4, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) out[i] = (src[i] as number) << 16;
}

/** float32 bits to bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
export function bf16FromBits(u: number): number {
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u >>> 0) + 0x7fff + ((u >>> 16) & 1)) >>> 16;
}

/** float32 bits to float16 bits, round to nearest even, overflow to infinity, underflow through subnormals. */
export function f16FromBits(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = m & ((1 << shift) - 1);
    let res = m >>> shift;
    if (rem > half || (rem === half && (res & 1) === 1)) res++;
    return sign | res;
  }
  let res = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (res & 1) === 1)) res++;
  return sign | res;
}

/** Encodes float32 values as 16-bit floats into `dst` (same length). */
export function encode16(kind: 'F16' | 'BF16', src: Float32Array, dst: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = src.length;
  if (kind === 'BF16') {
    for (let i = 0; i < n; i++) {
      const u = bits[i] as number;
      dst[i] =
        (u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0
          ? ((u >>> 16) | 0x40) & 0xffff
          : (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
    }
  } else {
    for (let i = 0; i < n; i++) dst[i] = f16FromBits(bits[i] as number);
  }
}

/**
 * Narrows float64 to float32 with round-to-odd: an inexact result gets an odd last bit, so rounding it again to
 * a format with at most 22 fraction bits (float16, bfloat16) gives the correctly rounded value of the float64.
 */
export function f64ToF32RoundOdd(src: Float64Array, dst: Float32Array, at = 0): void {
  const bits = new Uint32Array(dst.buffer, dst.byteOffset + at * 4, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const x = src[i] as number;
    const r = Math.fround(x);
    dst[at + i] = r;
    if (r !== x && Number.isFinite(r)) {
      const u = bits[i] as number;
      if ((u & 1) === 0) bits[i] = Math.abs(r) > Math.abs(x) ? u - 1 : u + 1;
    }
  }
}
