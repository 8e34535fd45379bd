// Dense float64 linear algebra on the host for MEMIT's closed-form update (memit-spec.md §5): Cholesky
// factorisation, triangular and SPD solves, and the Woodbury form of B = (lambda C + K K^T)^-1 K that needs
// only one factorisation of C per layer. Row-major Float64Arrays; no graphs, no models.

/** A symmetric positive definite n x n matrix's lower Cholesky factor L (A = L L^T), row-major. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      const ri = i * n;
      const rj = j * n;
      for (let k = 0; k < j; k++) sum -= (l[ri + k] as number) * (l[rj + k] as number);
      if (i === j) {
        if (!(sum > 0)) throw new Error(`matrix is not positive definite (pivot ${i} is ${sum})`);
        l[ri + i] = Math.sqrt(sum);
      } else l[ri + j] = sum / (l[rj + j] as number);
    }
  }
  return l;
}

/** Solves L L^T X = B for X (B is n x m row-major, overwritten and returned). */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  // Forward: L Y = B.
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k] as number;
      if (lik === 0) continue;
      for (let c = 0; c < m; c++) b[i * m + c] = (b[i * m + c] as number) - lik * (b[k * m + c] as number);
    }
    const d = l[i * n + i] as number;
    for (let c = 0; c < m; c++) b[i * m + c] = (b[i * m + c] as number) / d;
  }
  // Backward: L^T X = Y.
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i] as number;
      if (lki === 0) continue;
      for (let c = 0; c < m; c++) b[i * m + c] = (b[i * m + c] as number) - lki * (b[k * m + c] as number);
    }
    const d = l[i * n + i] as number;
    for (let c = 0; c < m; c++) b[i * m + c] = (b[i * m + c] as number) / d;
  }
  return b;
}

/** A^T B for A [n, p] and B [n, q], row-major: [p, q]. */
export function matTMul(a: Float64Array, b: Float64Array, n: number, p: number, q: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let k = 0; k < n; k++)
    for (let i = 0; i < p; i++) {
      const aki = a[k * p + i] as number;
      if (aki === 0) continue;
      for (let j = 0; j < q; j++)
        out[i * q + j] = (out[i * q + j] as number) + aki * (b[k * q + j] as number);
    }
  return out;
}

/** A B for A [n, p] and B [p, q], row-major: [n, q]. */
export function matMul(a: Float64Array, b: Float64Array, n: number, p: number, q: number): Float64Array {
  const out = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < p; k++) {
      const aik = a[i * p + k] as number;
      if (aik === 0) continue;
      for (let j = 0; j < q; j++)
        out[i * q + j] = (out[i * q + j] as number) + aik * (b[k * q + j] as number);
    }
  return out;
}

/**
 * B = (lambda C + K K^T)^-1 K by Woodbury: B = C^-1 K (lambda I + K^T C^-1 K)^-1, with `cFactor` the
 * Cholesky factor of C (f x f) and K f x n row-major. Returns B (f x n) and the fraction matrix
 * M = S (lambda I + S)^-1 with S = K^T C^-1 K (n x n), the share of the residual the update writes.
 */
export function woodburySolve(
  cFactor: Float64Array,
  f: number,
  lambda: number,
  k: Float64Array,
  n: number,
): { b: Float64Array; written: Float64Array } {
  const cInvK = choleskySolve(cFactor, f, k.slice(), n);
  const s = matTMul(k, cInvK, f, n, n);
  const inner = s.slice();
  for (let i = 0; i < n; i++) inner[i * n + i] = (inner[i * n + i] as number) + lambda;
  const innerFactor = cholesky(inner, n);
  // B^T = (lambda I + S)^-1 (C^-1 K)^T, solved as n x f right-hand sides.
  const cInvKT = new Float64Array(n * f);
  for (let i = 0; i < f; i++) for (let j = 0; j < n; j++) cInvKT[j * f + i] = cInvK[i * n + j] as number;
  const bT = choleskySolve(innerFactor, n, cInvKT, f);
  const b = new Float64Array(f * n);
  for (let i = 0; i < f; i++) for (let j = 0; j < n; j++) b[i * n + j] = bT[j * f + i] as number;
  const written = choleskySolve(innerFactor, n, s.slice(), n);
  return { b, written };
}
