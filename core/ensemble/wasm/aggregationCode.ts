/**
 * The ensemble maths' inner loops as one small WebAssembly module (SIMD), built with the same builder as
 * the tfjs kernels (core/backend/wasm/simd). Each function works on one block of rows that the driver
 * (blockedAggregation.ts) has copied into the module's memory, checks the block's values in the same
 * pass as it accumulates them, and returns 1 when every check passed (0 sends the caller to the reference
 * JavaScript, which finds and names the problem).
 *
 * Arithmetic matches the reference code operation for operation: accumulators are float64, each member's
 * term is w * x added in member order (no fused multiply-add), the mean is divided last and rounded to
 * float32 once, and a vote goes to a row's first largest value. Only the row sums of the probability
 * check are computed differently (float32, another order); their bounds carry a margin larger than that
 * rounding, so a row the reference would refuse never passes, and a row near a bound goes to it.
 *
 * A module is built for a given number of classes: up to MAX_UNROLLED_CLASSES, rows are unrolled
 * (probability rows in units of whole vectors, hard votes four rows at a time, one row per lane); beyond
 * that, plain loops.
 */
import type { FunctionBuilder, Local } from '../../backend/wasm/simd/functionBuilder.ts';
import { ModuleBuilder } from '../../backend/wasm/simd/moduleBuilder.ts';

/** Exports of the module; pointers are byte offsets into its memory. */
export interface AggregationExports {
  /**
   * Probability rows: every value in [0, maxP] and every row's float32 sum in [sumLo, sumHi]. `rows` must
   * be a multiple of `probabilityRowUnit(classes)`.
   */
  prob_check(src: number, rows: number, maxP: number, sumLo: number, sumHi: number): number;
  /**
   * out[k] = float32((Σ_i weights[i] * src_i[k]) / total), float64 sums in member order, where member i's
   * block starts at src + i * stride (bytes) and weights are float64. Returns 1 (no check).
   */
  weighted_mean(
    src: number,
    stride: number,
    members: number,
    weights: number,
    out: number,
    count: number,
    total: number,
  ): number;
  /** weighted_mean, and every value finite. */
  finite_weighted_mean(
    src: number,
    stride: number,
    members: number,
    weights: number,
    out: number,
    count: number,
    total: number,
  ): number;
  /** Every value finite; each row's first largest class gets votes[row, class] += w (float64). */
  argmax_vote(src: number, votes: number, rows: number, w: number): number;
  /** out[row] = the first largest class of votes[row] (int32). */
  vote_out(votes: number, out: number, rows: number): void;
}

/** Classes up to which rows are unrolled. */
export const MAX_UNROLLED_CLASSES = 64;

/** Rows that fill whole vectors (4 floats): the probability check's unit when unrolled, else 1. */
export function probabilityRowUnit(classes: number): number {
  if (classes > MAX_UNROLLED_CLASSES) return 1;
  const gcd = classes % 4 === 0 ? 4 : classes % 2 === 0 ? 2 : 1;
  return 4 / gcd;
}

/**
 * More than a float32 row sum of `classes` values in [0, 1 + 1e-5] can differ from the float64 sum the
 * reference takes: recursive summation errs by at most (classes - 1) float32 half-ulps of the sum (about
 * 1); this is twice that, plus the rounding of the bounds themselves.
 */
export function rowSumMargin(classes: number): number {
  return (classes + 2) * 2 ** -23;
}

type F = FunctionBuilder;

function params(f: F, n: number): Local[] {
  return Array.from({ length: n }, (_, i) => f.param(i));
}

/** The module's bytes, for rows of `classes` values. */
export function aggregationModule(classes: number): Uint8Array {
  const mod = new ModuleBuilder();
  const unrolled = classes <= MAX_UNROLLED_CLASSES;
  addProbCheck(mod, classes, unrolled);
  addWeightedMean(mod, 'weighted_mean', false);
  addWeightedMean(mod, 'finite_weighted_mean', true);
  addArgmaxVote(mod, classes, unrolled);
  addVoteOut(mod, classes);
  return mod.bytes();
}

/**
 * Value checks as unsigned integer maxima of the float bits (one instruction a vector; wasm's float min and
 * max are several, for their NaN rules): a non-negative float32's bits order like its value, and a
 * negative one's (sign bit set) exceed every positive one's, as NaN's exceed infinity's.
 */
function widenBits(f: F, bits: Local, v: Local, absolute: boolean): void {
  f.get(bits).get(v);
  if (absolute) f.i32x4([0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff]).vAnd();
  f.i32x4MaxU().set(bits);
}

/** i32 on the stack: every lane of `bits` at most `limit` (an unsigned 32-bit pattern). */
function bitsAtMost(f: F, bits: Local, limit: number): void {
  f.get(bits)
    .i32x4([limit | 0, limit | 0, limit | 0, limit | 0])
    .i32x4LeU()
    .allTrue32();
}

/** The bit pattern of the largest finite float32: |x| at most this is finite. */
const MAX_FINITE_BITS = 0x7f7fffff;

/** The bit pattern of a float32. */
export function float32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0]!;
}

/** Lane mask constant: all ones in lanes [from, to), zero elsewhere. */
function laneMask(f: F, from: number, to: number): F {
  const lanes = [0, 1, 2, 3].map((l) => (l >= from && l < to ? -1 : 0)) as [number, number, number, number];
  return f.i32x4(lanes);
}

/**
 * One vector whose lanes hold the totals of `sums` (1, 2 or 4 row-sum vectors): lane j is row j's total
 * (j < sums.length), and the other lanes repeat them, so every lane can be checked.
 */
function rowTotals(f: F, sums: readonly Local[], t: Local, u: Local): void {
  const pairUp = (a: Local, b: Local, into: Local): void => {
    // [a0+a2, b0+b2, a1+a3, b1+b3]
    f.get(a).get(b).shuffle32([0, 4, 1, 5]).get(a).get(b).shuffle32([2, 6, 3, 7]).vAdd().set(into);
  };
  if (sums.length === 1) {
    const [s] = sums as [Local];
    f.get(s).get(s).get(s).shuffle32([2, 3, 0, 1]).vAdd().set(t);
    f.get(t).get(t).get(t).shuffle32([1, 0, 3, 2]).vAdd();
  } else if (sums.length === 2) {
    const [s0, s1] = sums as [Local, Local];
    pairUp(s0, s1, t);
    f.get(t).get(t).get(t).shuffle32([2, 3, 0, 1]).vAdd();
  } else {
    const [s0, s1, s2, s3] = sums as [Local, Local, Local, Local];
    pairUp(s0, s1, t);
    pairUp(s2, s3, u);
    // [S0, S1, S2, S3] from [s0:02, s1:02, s0:13, s1:13] and the same for rows 2 and 3.
    f.get(t).get(u).shuffle32([0, 1, 4, 5]).get(t).get(u).shuffle32([2, 3, 6, 7]).vAdd();
  }
}

function addProbCheck(mod: ModuleBuilder, classes: number, unrolled: boolean): void {
  const f = mod.declare('prob_check', ['i32', 'i32', 'i32', 'f32', 'f32'], ['i32']);
  const [src, rows, maxBits, sumLo, sumHi] = params(f, 5) as [Local, Local, Local, Local, Local];
  const p = f.local('i32');
  const end = f.local('i32');
  const v = f.local('v128');
  const t = f.local('v128');
  const u = f.local('v128');
  const bits = f.local('v128');
  const okv = f.local('v128');
  const lo = f.local('v128');
  const hi = f.local('v128');
  f.i32x4([-1, -1, -1, -1]).set(okv);
  f.get(sumLo).splat().set(lo);
  f.get(sumHi).splat().set(hi);
  f.get(src).set(p);
  f.get(src)
    .get(rows)
    .i32(classes * 4)
    .mul()
    .add()
    .set(end);
  const unit = probabilityRowUnit(classes);
  const sums = Array.from({ length: unit }, () => f.local('v128'));
  f.block(() => {
    f.loop(() => {
      f.get(p).get(end).geU().brIf(1);
      if (unrolled) {
        const vectors = (unit * classes) / 4;
        for (const s of sums) f.v128Zero().set(s);
        for (let q = 0; q < vectors; q++) {
          f.get(p)
            .v128Load(16 * q)
            .set(v);
          widenBits(f, bits, v, false);
          // Lanes 4q .. 4q+3 of the unit, split between the rows they belong to.
          const firstRow = Math.floor((4 * q) / classes);
          const lastRow = Math.floor((4 * q + 3) / classes);
          for (let row = firstRow; row <= lastRow; row++) {
            const from = Math.max(0, row * classes - 4 * q);
            const to = Math.min(4, (row + 1) * classes - 4 * q);
            const s = sums[row] as Local;
            f.get(s).get(v);
            if (from > 0 || to < 4) laneMask(f, from, to).vAnd();
            f.vAdd().set(s);
          }
        }
        f.increment(p, 16 * vectors);
      } else {
        // One row: whole vectors, then the rest one value at a time (into lane 0).
        const [s] = sums as [Local];
        const c = f.local('i32');
        f.v128Zero().set(s);
        f.i32(0).set(c);
        f.block(() => {
          f.loop(() => {
            f.get(c).i32(4).add().i32(classes).gtU().brIf(1);
            f.get(p).v128Load().set(v);
            widenBits(f, bits, v, false);
            f.get(s).get(v).vAdd().set(s);
            f.increment(p, 16).increment(c, 4).br(0);
          });
        });
        f.forRange(
          c,
          () => f.get(c),
          () => f.i32(classes),
          1,
          () => {
            f.get(p).load32Zero().set(v);
            widenBits(f, bits, v, false);
            f.get(s).get(v).vAdd().set(s);
            f.increment(p, 4);
          },
        );
      }
      // Every row total in [sumLo, sumHi] (NaN fails).
      rowTotals(f, sums, t, u);
      f.set(v);
      f.get(okv).get(v).get(lo).vGe().vAnd().get(v).get(hi).vLe().vAnd().set(okv);
      f.br(0);
    });
  });
  // Every value's bits at most maxBits: in [+0, maxP] (a -0 fails too, and goes to the reference check).
  f.get(okv).allTrue32();
  f.get(bits).get(maxBits).i32x4Splat().i32x4LeU().allTrue32();
  f.and();
}

function addWeightedMean(mod: ModuleBuilder, name: string, checkFinite: boolean): void {
  const f = mod.declare(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f64'], ['i32']);
  const [src, stride, members, weights, out, count, total] = params(f, 7) as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const k = f.local('i32');
  const i = f.local('i32');
  const p = f.local('i32');
  const wp = f.local('i32');
  const o = f.local('i32');
  const v = f.local('v128');
  const wv = f.local('v128');
  const lo = f.local('v128');
  const hi = f.local('v128');
  const tv = f.local('v128');
  const s = f.local('f64');
  const r = f.local('v128');
  const bits = f.local('v128');
  f.get(total).f64x2Splat().set(tv);
  f.get(out).set(o);
  // Four values at a time: the members' terms summed in registers, in member order, then divided.
  f.i32(0).set(k);
  f.block(() => {
    f.loop(() => {
      f.get(k).i32(4).add().get(count).gtU().brIf(1);
      f.v128Zero().set(lo);
      f.v128Zero().set(hi);
      f.get(src).get(k).i32(4).mul().add().set(p);
      f.get(weights).set(wp);
      f.forRange(
        i,
        () => f.i32(0),
        () => f.get(members),
        1,
        () => {
          f.get(p).v128Load().set(v);
          f.get(wp).load64Splat().set(wv);
          f.get(lo).get(wv).get(v).promoteLow().f64x2Mul().f64x2Add().set(lo);
          f.get(hi).get(wv).get(v).get(v).shuffle32([2, 3, 0, 1]).promoteLow().f64x2Mul().f64x2Add().set(hi);
          f.incrementBy(p, stride).increment(wp, 8);
        },
      );
      f.get(lo).get(tv).f64x2Div().demoteZero();
      f.get(hi).get(tv).f64x2Div().demoteZero();
      f.shuffle32([0, 1, 4, 5]).set(r);
      f.get(o).get(r).v128Store();
      // A NaN or an infinity among the inputs makes its mean non-finite (so does an overflow, which the
      // reference then handles): checking the output checks the inputs.
      if (checkFinite) widenBits(f, bits, r, true);
      f.increment(o, 16).increment(k, 4).br(0);
    });
  });
  // The last values, one at a time.
  f.forRange(
    k,
    () => f.get(k),
    () => f.get(count),
    1,
    () => {
      f.f64(0).set(s);
      f.get(src).get(k).i32(4).mul().add().set(p);
      f.get(weights).set(wp);
      f.forRange(
        i,
        () => f.i32(0),
        () => f.get(members),
        1,
        () => {
          f.get(s).get(wp).f64Load().get(p).f32Load().f64PromoteF32().f64Mul().f64Add().set(s);
          f.incrementBy(p, stride).increment(wp, 8);
        },
      );
      f.get(o).get(s).get(total).f64Div().f32DemoteF64().f32Store();
      if (checkFinite) {
        f.get(o).load32Zero().set(r);
        widenBits(f, bits, r, true);
      }
      f.increment(o, 4);
    },
  );
  if (checkFinite) bitsAtMost(f, bits, MAX_FINITE_BITS);
  else f.i32(1);
}

/** Widens `bits` by every |value| from `p` for `count` values (vectors, then single values); `p` ends past them. */
function scanFinite(f: F, bits: Local, p: Local, count: Local, i: Local, v: Local): void {
  f.i32(0).set(i);
  f.block(() => {
    f.loop(() => {
      f.get(i).i32(4).add().get(count).gtU().brIf(1);
      f.get(p).v128Load().set(v);
      widenBits(f, bits, v, true);
      f.increment(p, 16).increment(i, 4).br(0);
    });
  });
  f.forRange(
    i,
    () => f.get(i),
    () => f.get(count),
    1,
    () => {
      f.get(p).load32Zero().set(v);
      widenBits(f, bits, v, true);
      f.increment(p, 4);
    },
  );
}

function addArgmaxVote(mod: ModuleBuilder, classes: number, unrolled: boolean): void {
  const f = mod.declare('argmax_vote', ['i32', 'i32', 'i32', 'f64'], ['i32']);
  const [src, votes, rows, w] = params(f, 4) as [Local, Local, Local, Local];
  const i = f.local('i32');
  const count = f.local('i32');
  const p = f.local('i32');
  const vp = f.local('i32');
  const r = f.local('i32');
  const c = f.local('i32');
  const best = f.local('i32');
  const gt = f.local('i32');
  const v = f.local('v128');
  const x = f.local('f32');
  const bv = f.local('f32');
  const bits = f.local('v128');
  // Finite, over the whole block.
  f.get(rows).i32(classes).mul().set(count);
  f.get(src).set(p);
  scanFinite(f, bits, p, count, i, v);
  f.get(src).set(p);
  f.get(votes).set(vp);
  f.i32(0).set(r);
  const rowBytes = classes * 4;

  if (unrolled) {
    // Four rows at a time, one per lane: column c of the four rows gathered into a vector, then a
    // tournament over the columns (the right side wins only when strictly greater, so ties keep the
    // lowest class).
    const group = f.local('i32');
    f.get(rows).i32(-4).and().set(group);
    const gather = (column: number, into: Local): void => {
      f.get(p).load32Zero(column * 4);
      for (let lane = 1; lane < 4; lane++) {
        f.set(into)
          .get(p)
          .get(into)
          .load32Lane(lane * rowBytes + column * 4, lane);
      }
      f.set(into);
    };
    const tournament = (lo: number, hi: number): { value: Local; index: Local } => {
      if (hi - lo === 1) {
        const value = f.local('v128');
        const index = f.local('v128');
        gather(lo, value);
        f.i32x4([lo, lo, lo, lo]).set(index);
        return { value, index };
      }
      const mid = lo + Math.ceil((hi - lo) / 2);
      const left = tournament(lo, mid);
      const right = tournament(mid, hi);
      const wins = f.local('v128');
      f.get(right.value).get(left.value).vGt().set(wins);
      f.get(right.value).get(left.value).get(wins).bitselect().set(left.value);
      f.get(right.index).get(left.index).get(wins).bitselect().set(left.index);
      return left;
    };
    f.block(() => {
      f.loop(() => {
        f.get(r).get(group).geU().brIf(1);
        const winner = tournament(0, classes);
        for (let lane = 0; lane < 4; lane++) {
          f.get(vp).get(winner.index).i32x4ExtractLane(lane).i32(8).mul().add().set(i);
          f.get(i)
            .get(i)
            .f64Load(lane * classes * 8)
            .get(w)
            .f64Add()
            .f64Store(lane * classes * 8);
        }
        f.increment(p, 4 * rowBytes)
          .increment(vp, 4 * classes * 8)
          .increment(r, 4)
          .br(0);
      });
    });
  }
  // The remaining rows (all of them when not unrolled), one value at a time.
  f.forRange(
    r,
    () => f.get(r),
    () => f.get(rows),
    1,
    () => {
      rowArgmax(f, { p, classes, float: 'f32', best, c, gt, x, bv });
      f.get(vp).get(best).i32(8).mul().add().set(i);
      f.get(i).get(i).f64Load().get(w).f64Add().f64Store();
      f.increment(p, rowBytes).increment(vp, classes * 8);
    },
  );
  bitsAtMost(f, bits, MAX_FINITE_BITS);
}

/**
 * best = the first largest of the `classes` values (f32 or f64) from `p`: a later value takes over only
 * when strictly greater, so ties keep the lowest class. `x` and `bv` are locals of the values' type.
 */
function rowArgmax(
  f: F,
  o: {
    p: Local;
    classes: number;
    float: 'f32' | 'f64';
    best: Local;
    c: Local;
    gt: Local;
    x: Local;
    bv: Local;
  },
): void {
  const size = o.float === 'f32' ? 4 : 8;
  const load = (): F => (o.float === 'f32' ? f.f32Load() : f.f64Load());
  f.i32(0).set(o.best);
  f.get(o.p);
  load().set(o.bv);
  f.forRange(
    o.c,
    () => f.i32(1),
    () => f.i32(o.classes),
    1,
    () => {
      f.get(o.p).get(o.c).i32(size).mul().add();
      load().set(o.x);
      f.get(o.x).get(o.bv);
      if (o.float === 'f32') f.f32Gt();
      else f.f64Gt();
      f.set(o.gt);
      f.get(o.c).get(o.best).get(o.gt).select().set(o.best);
      f.get(o.x).get(o.bv).get(o.gt).select().set(o.bv);
    },
  );
}

function addVoteOut(mod: ModuleBuilder, classes: number): void {
  const f = mod.declare('vote_out', ['i32', 'i32', 'i32']);
  const [votes, out, rows] = params(f, 3) as [Local, Local, Local];
  const r = f.local('i32');
  const c = f.local('i32');
  const p = f.local('i32');
  const o = f.local('i32');
  const best = f.local('i32');
  const gt = f.local('i32');
  const x = f.local('f64');
  const bv = f.local('f64');
  f.get(votes).set(p);
  f.get(out).set(o);
  f.forRange(
    r,
    () => f.i32(0),
    () => f.get(rows),
    1,
    () => {
      rowArgmax(f, { p, classes, float: 'f64', best, c, gt, x, bv });
      f.get(o).get(best).i32Store();
      f.increment(p, classes * 8).increment(o, 4);
    },
  );
}
