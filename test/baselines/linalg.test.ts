// MEMIT's closed-form update in float64 (memit-spec.md §9, tests 1-5): the Woodbury solve satisfies the normal
// equations and equals the direct solve, reduces to r k^T / (lambda + |k|^2) for C = I and n = 1, interpolates
// exactly as lambda -> 0, and writes nothing for a zero gap. Random small fixtures; no model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../server/common/random';
import {
  cholesky,
  choleskySolve,
  matMul,
  matTMul,
  woodburySolve,
} from '../../server/runtime/baselines/linalg';

const f = 40;
const n = 3;
const d = 12;

function random(rng: Rng, rows: number, cols: number): Float64Array {
  return Float64Array.from({ length: rows * cols }, () => rng.normal());
}

/** C = X^T X / N over N = 4f random rows: symmetric positive definite. */
function secondMoment(rng: Rng): Float64Array {
  const rows = 4 * f;
  const x = random(rng, rows, f);
  return matTMul(x, x, rows, f, f).map((v) => v / rows);
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j] as number;
  return out;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) ** 2;
  return Math.sqrt(s);
}

test('Woodbury solve equals the direct solve and satisfies the normal equations', () => {
  const rng = new Rng('memit-linalg');
  const c = secondMoment(rng);
  const k = random(rng, f, n);
  const r = random(rng, d, n);
  const lambda = 7.5;
  const { b } = woodburySolve(cholesky(c, f), f, lambda, k, n);
  // Direct: A = lambda C + K K^T, B = A^-1 K.
  const a = c.map((v) => v * lambda);
  const kkT = matMul(k, transpose(k, f, n), f, n, f);
  for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) + (kkT[i] as number);
  const direct = choleskySolve(cholesky(a, f), f, k.slice(), n);
  assert.ok(maxAbs(b, direct) < 1e-10, `max diff ${maxAbs(b, direct)}`);
  // Delta W = R B^T [d, f]; Delta W A = R K^T.
  const dw = matMul(r, transpose(b, f, n), d, n, f);
  const lhs = matMul(dw, a, d, f, f);
  const rhs = matMul(r, transpose(k, f, n), d, n, f);
  assert.ok(frob(lhs.map((v, i) => v - (rhs[i] as number))) / frob(rhs) < 1e-10);
});

test('C = I and one key: Delta W = r k^T / (lambda + |k|^2), and the written share is |k|^2 / (lambda + |k|^2)', () => {
  const rng = new Rng('memit-rank-one');
  const eye = new Float64Array(f * f);
  for (let i = 0; i < f; i++) eye[i * f + i] = 1;
  const k = random(rng, f, 1);
  const lambda = 3;
  const { b, written } = woodburySolve(cholesky(eye, f), f, lambda, k, 1);
  const kk = frob(k) ** 2;
  assert.ok(
    maxAbs(
      b,
      k.map((v) => v / (lambda + kk)),
    ) < 1e-12,
  );
  assert.ok(Math.abs((written[0] as number) - kk / (lambda + kk)) < 1e-12);
});

test('lambda -> 0 interpolates: Delta W K = R; a zero gap writes nothing', () => {
  const rng = new Rng('memit-interpolate');
  const c = secondMoment(rng);
  const k = random(rng, f, n);
  const r = random(rng, d, n);
  const { b } = woodburySolve(cholesky(c, f), f, 1e-9, k, n);
  const dwK = matMul(matMul(r, transpose(b, f, n), d, n, f), k, d, f, n);
  assert.ok(maxAbs(dwK, r) < 1e-6, `max diff ${maxAbs(dwK, r)}`);
  const zero = new Float64Array(d * n);
  const dw0 = matMul(zero, transpose(b, f, n), d, n, f);
  assert.ok(dw0.every((v) => v === 0));
});

test('Cholesky rejects a matrix that is not positive definite', () => {
  assert.throws(() => cholesky(Float64Array.of(1, 2, 2, 1), 2), /not positive definite/);
});
