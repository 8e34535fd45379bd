// Running normalisation statistics of the hypernetwork's inputs: Welford mean and sum of squared deviations
// of u and delta per gradient transform, over the kept token rows, in float64 on the host. Updated while
// meta-training, frozen afterwards (or re-estimated online, the reference test scripts' behaviour).
// Serialises to plain JSON numbers so a resumed run continues bit for bit.

/** One transform's statistics; k counts rows (shared by u and delta, as in the reference). */
export interface WelfordState {
  k: number;
  readonly uMean: Float64Array;
  readonly uS: Float64Array;
  readonly dMean: Float64Array;
  readonly dS: Float64Array;
}

/** Mean and std + 1e-7 per column, ready to normalise (x - mean) / std. */
export interface Normalizer {
  readonly uMean: Float64Array;
  readonly uStd: Float64Array;
  readonly dMean: Float64Array;
  readonly dStd: Float64Array;
}

export const STD_EPS = 1e-7;

export function emptyWelford(dIn: number, dOut: number): WelfordState {
  return {
    k: 0,
    uMean: new Float64Array(dIn),
    uS: new Float64Array(dIn),
    dMean: new Float64Array(dOut),
    dS: new Float64Array(dOut),
  };
}

function step(mean: Float64Array, s: Float64Array, row: ArrayLike<number>, offset: number, k: number): void {
  for (let j = 0; j < mean.length; j++) {
    const x = row[offset + j] as number;
    const m = mean[j] as number;
    const next = m + (x - m) / k;
    s[j] = (s[j] as number) + (x - m) * (x - next);
    mean[j] = next;
  }
}

/** Adds `rows` rows of u ([rows, dIn], row-major) and delta ([rows, dOut]) one row at a time. */
export function welfordUpdate(
  state: WelfordState,
  u: ArrayLike<number>,
  delta: ArrayLike<number>,
  rows: number,
): void {
  const dIn = state.uMean.length;
  const dOut = state.dMean.length;
  for (let r = 0; r < rows; r++) {
    state.k += 1;
    if (state.k === 1) {
      for (let j = 0; j < dIn; j++) state.uMean[j] = u[r * dIn + j] as number;
      for (let j = 0; j < dOut; j++) state.dMean[j] = delta[r * dOut + j] as number;
      state.uS.fill(0);
      state.dS.fill(0);
      continue;
    }
    step(state.uMean, state.uS, u, r * dIn, state.k);
    step(state.dMean, state.dS, delta, r * dOut, state.k);
  }
}

/** Sample standard deviation (k - 1) plus 1e-7; with fewer than two rows the std is the epsilon alone. */
export function normalizer(state: WelfordState): Normalizer {
  const std = (s: Float64Array) =>
    Float64Array.from(s, (v) => (state.k >= 2 ? Math.sqrt(v / (state.k - 1)) : 0) + STD_EPS);
  return {
    uMean: state.uMean.slice(),
    uStd: std(state.uS),
    dMean: state.dMean.slice(),
    dStd: std(state.dS),
  };
}

export function cloneWelford(state: WelfordState): WelfordState {
  return {
    k: state.k,
    uMean: state.uMean.slice(),
    uS: state.uS.slice(),
    dMean: state.dMean.slice(),
    dS: state.dS.slice(),
  };
}

export interface WelfordJson {
  readonly k: number;
  readonly u_mean: number[];
  readonly u_s: number[];
  readonly v_mean: number[];
  readonly v_s: number[];
}

export function welfordToJson(state: WelfordState): WelfordJson {
  return {
    k: state.k,
    u_mean: Array.from(state.uMean),
    u_s: Array.from(state.uS),
    v_mean: Array.from(state.dMean),
    v_s: Array.from(state.dS),
  };
}

/** Parses saved statistics; an Error names the field that does not fit the transform's widths. */
export function welfordFromJson(json: WelfordJson, dIn: number, dOut: number, where: string): WelfordState {
  const vec = (v: unknown, n: number, field: string): Float64Array => {
    if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number'))
      throw new Error(`${where}: "${field}" must be ${n} numbers`);
    return Float64Array.from(v as number[]);
  };
  if (!Number.isInteger(json.k) || json.k < 0)
    throw new Error(`${where}: "k" must be a non-negative integer`);
  return {
    k: json.k,
    uMean: vec(json.u_mean, dIn, 'u_mean'),
    uS: vec(json.u_s, dIn, 'u_s'),
    dMean: vec(json.v_mean, dOut, 'v_mean'),
    dS: vec(json.v_s, dOut, 'v_s'),
  };
}
