/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix32). Only 32-bit integer arithmetic
 * (`Math.imul`, `>>>`), so the same seed gives the same sequence on every platform and Node version;
 * `normal()` also uses `Math.log`/`Math.cos`, which V8 implements itself (fdlibm port), not the OS libm.
 */

const TWO_POW_32 = 4294967296;

/** One splitmix32 step on `x`: a well-mixed 32-bit hash. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Folds any safe integer (negative, or beyond 32 bits) into a 32-bit seed. */
function fold(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  return splitmix32(lo ^ splitmix32(hi));
}

/**
 * Derives an independent 32-bit seed from a base seed and salts, e.g. `deriveSeed(jobSeed, memberIndex)`,
 * so that related streams do not overlap the way `seed + 1` and `seed + 2` would with a weak generator.
 */
export function deriveSeed(base: number, ...salts: number[]): number {
  let s = fold(base);
  for (const salt of salts) s = splitmix32(s ^ fold(salt));
  return s;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number) {
    let s = fold(seed);
    s = splitmix32(s);
    this.a = s;
    s = splitmix32(s);
    this.b = s;
    s = splitmix32(s);
    this.c = s;
    s = splitmix32(s);
    this.d = s;
    // xoshiro's one forbidden state is all zeros.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n), without modulo bias; n a positive integer ≤ 2^32. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new RangeError(`nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    // Reject the top partial block of [0, 2^32) so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /** Standard normal deviate (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return z;
    }
    const u1 = 1 - this.nextFloat(); // (0, 1]: log stays finite
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Shuffles `values` in place (Fisher–Yates) and returns it. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(values: T, rng: Rng): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = values[i] as number;
    values[i] = values[j] as number;
    values[j] = tmp;
  }
  return values;
}

/** A uniformly random permutation of 0..n-1, determined by `seed`. */
export function permutation(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
    throw new RangeError(`permutation: n must be a non-negative integer, got ${n}`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(out, new Rng(seed));
}
