import type { DataSource } from '../spec/data.ts';
import type { Dataset } from './dataset.ts';
import { deriveSeed, permutation, Rng } from './random.ts';

export type SyntheticSource = Extract<DataSource, { format: 'synthetic' }>;
export type SyntheticOptions = Omit<SyntheticSource, 'format'>;

/**
 * Gaussian blobs, one per class, unit-variance noise. The class centres are the vertices of a regular
 * simplex in a random orientation, so EVERY pair of centres is exactly `separation` noise standard
 * deviations apart (needs features ≥ classes - 1; with fewer features the centres are random and only
 * `separation` apart on average). Labels are balanced (counts differ by at most one) and shuffled.
 */
export function makeSynthetic(options: SyntheticOptions): Dataset {
  const { count, features: d, classes: k, separation, seed } = options;
  const sampleSeed = options.sampleSeed ?? seed;
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`synthetic: count must be ≥ 1, got ${count}`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`synthetic: features must be ≥ 1, got ${d}`);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`synthetic: classes must be ≥ 2, got ${k}`);
  if (!(separation > 0)) throw new RangeError(`synthetic: separation must be > 0, got ${separation}`);

  const centreRng = new Rng(seed);
  const centres =
    k - 1 <= d ? simplexCentres(k, d, separation, centreRng) : randomCentres(k, d, separation, centreRng);
  // Samples come from their own stream, so train and test can share centres but not samples.
  const rng = sampleSeed === seed ? centreRng : new Rng(deriveSeed(sampleSeed, 2));
  const order = permutation(count, deriveSeed(sampleSeed, 1));
  const x = new Float32Array(count * d);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = (order[i] as number) % k;
    y[i] = label;
    const centre = centres[label] as Float64Array;
    for (let j = 0; j < d; j++) x[i * d + j] = (centre[j] as number) + rng.normal();
  }
  return { x, y, count, sampleShape: [d], classes: k };
}

/**
 * Rows of a Helmert basis of the plane orthogonal to (1, …, 1) in R^k are a regular simplex with edge √2;
 * map them into R^d with k-1 random orthonormal vectors and scale the edge to `separation`.
 */
function simplexCentres(k: number, d: number, separation: number, rng: Rng): Float64Array[] {
  const basis = randomOrthonormal(k - 1, d, rng);
  const scale = separation / Math.SQRT2;
  const centres = Array.from({ length: k }, () => new Float64Array(d));
  for (let j = 1; j < k; j++) {
    // Helmert column j: j entries 1, then -j, then zeros, over √(j(j+1)).
    const norm = Math.sqrt(j * (j + 1));
    const v = basis[j - 1] as Float64Array;
    for (let c = 0; c <= j; c++) {
      const h = (c < j ? 1 : -j) / norm;
      const centre = centres[c] as Float64Array;
      for (let t = 0; t < d; t++) centre[t] = (centre[t] as number) + scale * h * (v[t] as number);
    }
  }
  return centres;
}

/** `m` orthonormal vectors in R^d (m ≤ d): Gram–Schmidt on Gaussian draws. */
function randomOrthonormal(m: number, d: number, rng: Rng): Float64Array[] {
  const out: Float64Array[] = [];
  while (out.length < m) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    for (const u of out) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += (v[t] as number) * (u[t] as number);
      for (let t = 0; t < d; t++) v[t] = (v[t] as number) - dot * (u[t] as number);
    }
    let sq = 0;
    for (let t = 0; t < d; t++) sq += (v[t] as number) ** 2;
    const norm = Math.sqrt(sq);
    if (norm < 1e-6) continue; // (almost) dependent draw: draw again
    for (let t = 0; t < d; t++) v[t] = (v[t] as number) / norm;
    out.push(v);
  }
  return out;
}

/** Independent Gaussian centres whose expected pairwise distance is `separation`. */
function randomCentres(k: number, d: number, separation: number, rng: Rng): Float64Array[] {
  const sd = separation / Math.sqrt(2 * d);
  return Array.from({ length: k }, () => Float64Array.from({ length: d }, () => sd * rng.normal()));
}
