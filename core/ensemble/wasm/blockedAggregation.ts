/**
 * Voting and averaging in one pass over blocks of rows, on the SIMD module of aggregationCode.ts: each
 * member's block is copied into the module's memory (it stays in cache for the checks and the sums) and
 * checked while it is added. The results are bit-identical to the reference loops (weightedMean.ts,
 * hardVote.ts): the same float64 sums in the same order, the same final rounding, the same tie-breaking.
 *
 * Each function returns undefined when it cannot vouch for its result: no WebAssembly SIMD here, or a
 * block failed a check (the reference code then runs, and names the bad value exactly as before).
 * Callers check shapes and weights first.
 */
import { PROBABILITY_SUM_TOLERANCE } from '../validate.ts';
import {
  aggregationModule,
  float32Bits,
  probabilityRowUnit,
  rowSumMargin,
  type AggregationExports,
} from './aggregationCode.ts';

/** Values per member and block (whole rows), and for all members of a block together: in L1 and L2. */
const BLOCK_VALUES = 4096;
const BLOCK_VALUES_ALL_MEMBERS = 32768;

/** The bits of the largest float32 not above 1 + 1e-5 (validate.ts's bound, compared in float64 there). */
const MAX_PROBABILITY_BITS = float32Bits(largestFloat32AtMost(1 + 1e-5));

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

const PAGE = 65536;

/** One memory for every module (one module per number of classes); null once SIMD proved missing. */
let memory: WasmMemory | null | undefined;
const modules = new Map<number, AggregationExports | null>();

/** The module for rows of `classes` values, or undefined where WebAssembly SIMD is missing. */
function kernelsFor(classes: number): AggregationExports | undefined {
  const known = modules.get(classes);
  if (known !== undefined) return known ?? undefined;
  const made = instantiate(classes);
  modules.set(classes, made);
  return made ?? undefined;
}

function instantiate(classes: number): AggregationExports | null {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined || memory === null) return null;
  try {
    memory ??= new api.Memory({ initial: 1 });
    const instance = new api.Instance(new api.Module(aggregationModule(classes)), { env: { memory } });
    return instance.exports as AggregationExports;
  } catch {
    // An engine without SIMD rejects the module: the reference loops serve.
    return null;
  }
}

/** Where a block's data lives in the memory (byte offsets, 16-byte aligned). */
interface Layout {
  /** Rows per block: a multiple of the probability check's unit. */
  rows: number;
  /** Member i's block starts at src + i * stride. */
  src: number;
  stride: number;
  weights: number;
  out: number;
  votes: number;
}

/** Lays out blocks for `members` members and grows the memory to hold them. */
function layoutFor(members: number, classes: number): Layout | undefined {
  if (memory == null) return undefined;
  const unit = probabilityRowUnit(classes);
  const values = Math.min(BLOCK_VALUES, Math.floor(BLOCK_VALUES_ALL_MEMBERS / members));
  const rows = Math.max(unit, Math.floor(values / classes / unit) * unit);
  const stride = align16(rows * classes * 4);
  const src = 64;
  const weights = src + members * stride;
  const out = align16(weights + members * 8);
  const votes = out + stride;
  const bytes = votes + 2 * stride;
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
  return { rows, src, stride, weights, out, votes };
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * Σ_i w_i x_i / Σ_i w_i over members (in member order; a zero weight adds ±0, which changes no sum), as
 * float32, with every member checked: `probabilities` (values in [0, 1], rows summing to 1) or `finite`.
 * Undefined: see the file comment.
 */
export function blockedWeightedMean(
  members: readonly Float32Array[],
  classes: number,
  weights: readonly number[],
  check: 'probabilities' | 'finite',
): Float32Array | undefined {
  const x = kernelsFor(classes);
  const at = x && layoutFor(members.length, classes);
  if (x === undefined || at === undefined || memory == null) return undefined;
  const length = members[0]?.length ?? 0;
  let total = 0;
  for (const w of weights) total += w;
  const out = new Float32Array(length);
  const f32 = new Float32Array(memory.buffer);
  new Float64Array(memory.buffer).set(weights, at.weights / 8);
  const unit = probabilityRowUnit(classes);
  const margin = rowSumMargin(classes);
  const sumLo = smallestFloat32AtLeast(1 - PROBABILITY_SUM_TOLERANCE + margin);
  const sumHi = largestFloat32AtMost(1 + PROBABILITY_SUM_TOLERANCE - margin);
  const blockValues = at.rows * classes;
  for (let start = 0; start < length; start += blockValues) {
    const count = Math.min(blockValues, length - start);
    const rows = count / classes;
    // The probability check takes whole units of rows: the last block is padded with rows [1, 0, …].
    const paddedRows = Math.ceil(rows / unit) * unit;
    for (let i = 0; i < members.length; i++) {
      const src = at.src + i * at.stride;
      f32.set(members[i]!.subarray(start, start + count), src / 4);
      if (check !== 'probabilities') continue;
      for (let r = rows; r < paddedRows; r++) {
        f32.fill(0, src / 4 + r * classes, src / 4 + (r + 1) * classes);
        f32[src / 4 + r * classes] = 1;
      }
      if (x.prob_check(src, paddedRows, MAX_PROBABILITY_BITS, sumLo, sumHi) !== 1) return undefined;
    }
    const mean = check === 'probabilities' ? x.weighted_mean : x.finite_weighted_mean;
    if (mean(at.src, at.stride, members.length, at.weights, at.out, count, total) !== 1) return undefined;
    out.set(f32.subarray(at.out / 4, at.out / 4 + count), start);
  }
  return out;
}

/**
 * The hard vote: each member's first largest class gets its weight (float64 sums in member order), the
 * first class with the most wins. Every value is checked finite. Undefined: see the file comment.
 */
export function blockedHardVote(
  members: readonly Float32Array[],
  classes: number,
  weights: readonly number[],
): Int32Array | undefined {
  const x = kernelsFor(classes);
  // One member's block at a time.
  const at = x && layoutFor(1, classes);
  if (x === undefined || at === undefined || memory == null) return undefined;
  const length = members[0]?.length ?? 0;
  const out = new Int32Array(length / classes);
  const f32 = new Float32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const blockValues = at.rows * classes;
  for (let start = 0; start < length; start += blockValues) {
    const count = Math.min(blockValues, length - start);
    const rows = count / classes;
    f64.fill(0, at.votes / 8, at.votes / 8 + count);
    for (let i = 0; i < members.length; i++) {
      f32.set(members[i]!.subarray(start, start + count), at.src / 4);
      if (x.argmax_vote(at.src, at.votes, rows, weights[i]!) !== 1) return undefined;
    }
    x.vote_out(at.votes, at.out, rows);
    out.set(i32.subarray(at.out / 4, at.out / 4 + rows), start / classes);
  }
  return out;
}

function smallestFloat32AtLeast(x: number): number {
  return -largestFloat32AtMost(-x);
}

function largestFloat32AtMost(x: number): number {
  const f = Math.fround(x);
  if (f <= x) return f;
  // One float32 step towards -infinity: a float32's bit pattern orders like its magnitude.
  const bits = new Int32Array(new Float32Array([f]).buffer);
  bits[0] = f > 0 ? bits[0]! - 1 : bits[0]! + 1;
  return new Float32Array(bits.buffer)[0]!;
}
