// Rotary position embeddings as Hugging Face computes them: inverse frequencies with none, linear or llama3
// scaling, and cos/sin tables in the rotate_half layout ([f0..f_{d/2-1}, f0..f_{d/2-1}] per position).
// Computed in float64 (Hugging Face uses float32 here; the difference is below 1e-7 relative). Pure maths.
import type { RopeScaling } from './config';

export interface RopeConfig {
  readonly headDim: number;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling;
}

/** headDim / 2 inverse frequencies theta^(-2i/d), then scaled. */
export function ropeInverseFrequencies(config: RopeConfig): Float64Array {
  const d = config.headDim;
  const half = d / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / config.ropeTheta ** ((2 * i) / d);
  const s = config.ropeScaling;
  if (s.type === 'linear') {
    for (let i = 0; i < half; i++) inv[i] = (inv[i] as number) / s.factor;
  } else if (s.type === 'llama3') {
    // Long wavelengths are divided by `factor`, short ones kept, and the band between is interpolated.
    const lowFreqWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
    const highFreqWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
    for (let i = 0; i < half; i++) {
      const f = inv[i] as number;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen > lowFreqWavelen) inv[i] = f / s.factor;
      else if (wavelen >= highFreqWavelen) {
        const smooth =
          (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) /
          (s.highFreqFactor - s.lowFreqFactor);
        inv[i] = ((1 - smooth) * f) / s.factor + smooth * f;
      }
    }
  }
  return inv;
}

/** cos and sin tables [T, headDim] (row-major) for the given positions, frequencies duplicated. */
export function ropeCosSin(
  invFreq: Float64Array,
  positions: ArrayLike<number>,
): { cos: Float64Array; sin: Float64Array; headDim: number } {
  const half = invFreq.length;
  const headDim = 2 * half;
  const cos = new Float64Array(positions.length * headDim);
  const sin = new Float64Array(positions.length * headDim);
  for (let t = 0; t < positions.length; t++) {
    const p = positions[t] as number;
    for (let i = 0; i < half; i++) {
      const angle = p * (invFreq[i] as number);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * headDim + i] = c;
      cos[t * headDim + half + i] = c;
      sin[t * headDim + i] = s;
      sin[t * headDim + half + i] = s;
    }
  }
  return { cos, sin, headDim };
}
