import type { Local } from './functionBuilder.ts';
import type { ModuleBuilder } from './moduleBuilder.ts';

/**
 * Rows of the register tile (the micro-kernel computes MR x NR of C at a time). 4 x 8 keeps V8's code in
 * registers (8 accumulators, 2 B vectors, a splat and a product): measured 36 GFLOP/s on this machine's
 * Zen 3 against 19-26 for 5x8, 6x8, 4x12, 3x12 and 2x16, and 24 for XNNPACK with pre-packed weights.
 */
export const MR = 4;
/** Columns of the register tile: two f32x4 vectors. */
export const NR = 8;
/**
 * The micro-kernel's inner loop is unrolled this many steps of k (packed panels pad k to a multiple).
 * 1: TurboFan schedules the loads of later steps early when unrolled and then spills accumulators
 * (2 steps: 27 GFLOP/s, 4: 21, 8: 16).
 */
export const K_UNROLL = 1;

/**
 * Adds the single-threaded SIMD GEMM (C = A B, or C += A B) to a module, BLIS style: A is packed into
 * panels of MR rows and B into panels of NR columns (k-major, zero-padded), then an MR x NR register
 * tile runs over each pair. Packing reads any strides, so transposed operands cost nothing extra and
 * nothing is cached between calls (XNNPACK re-packs its weights on every call with new weights, which
 * is what made the stock kernel slow in training, where weights change every step).
 *
 * Exports (pointers and strides in bytes):
 * - `pack_a(src, rowStride, kStride, rows, kc, kcPad, dst)`
 * - `pack_b(src, kStride, colStride, cols, kc, kcPad, dst)`
 * - `gemm_block(aPacked, bPacked, c, m, n, kcPad, ldc, accumulate, tmp)`: tmp holds MR x NR floats.
 *
 * With `fusedMultiplyAdd` the micro-kernel accumulates with relaxed-SIMD multiply-adds (one FMA
 * instruction on x64 with FMA3 and on ARM64) instead of a multiply and an add: 44 GFLOP/s instead of 36
 * here, as the loop is bound by instruction count, not by the FP units. Products then round once.
 */
export function addGemm(mod: ModuleBuilder, fusedMultiplyAdd: boolean): void {
  const kernel = mod.declare('gemm_kernel', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const copyTile = mod.declare('copy_tile', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const block = mod.declare('gemm_block', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const packFullA = mod.declare('pack_full_a', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const packFullB = mod.declare('pack_full_b', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const packPartial = mod.declare('pack_partial', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const packA = mod.declare('pack_a', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const packB = mod.declare('pack_b', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);

  // gemm_kernel(a, b, c, kcPad, ldc, accumulate): the MR x NR tile over kcPad steps.
  {
    const f = kernel;
    const [a, b, c, k, ldc, accumulate] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i)) as Local[] as [
      Local,
      Local,
      Local,
      Local,
      Local,
      Local,
    ];
    const vectors = NR / 4;
    const acc: Local[][] = [];
    for (let r = 0; r < MR; r++) acc.push(Array.from({ length: vectors }, () => f.local('v128')));
    const bv = Array.from({ length: vectors }, () => f.local('v128'));
    const av = f.local('v128');
    const row = f.local('i32');
    f.loop(() => {
      for (let u = 0; u < K_UNROLL; u++) {
        for (let j = 0; j < vectors; j++)
          f.get(b)
            .v128Load((u * NR + 4 * j) * 4)
            .set(bv[j] as Local);
        for (let r = 0; r < MR; r++) {
          f.get(a)
            .load32Splat((u * MR + r) * 4)
            .set(av);
          for (let j = 0; j < vectors; j++) {
            const t = (acc[r] as Local[])[j] as Local;
            if (fusedMultiplyAdd)
              f.get(av)
                .get(bv[j] as Local)
                .get(t)
                .vRelaxedMadd()
                .set(t);
            else
              f.get(t)
                .get(av)
                .get(bv[j] as Local)
                .vMul()
                .vAdd()
                .set(t);
          }
        }
      }
      f.increment(a, K_UNROLL * MR * 4)
        .increment(b, K_UNROLL * NR * 4)
        .get(k)
        .i32(K_UNROLL)
        .sub()
        .tee(k)
        .brIf(0);
    });
    const store = (add: boolean): void => {
      f.get(c).set(row);
      for (let r = 0; r < MR; r++) {
        for (let j = 0; j < vectors; j++) {
          const t = (acc[r] as Local[])[j] as Local;
          f.get(row);
          if (add)
            f.get(row)
              .v128Load(16 * j)
              .get(t)
              .vAdd();
          else f.get(t);
          f.v128Store(16 * j);
        }
        if (r < MR - 1) f.incrementBy(row, ldc);
      }
    };
    f.get(accumulate).if(
      () => store(true),
      () => store(false),
    );
  }

  // copy_tile(tmp, c, rows, cols, ldc, accumulate): the valid corner of an edge tile into C.
  {
    const f = copyTile;
    const [tmp, c, rows, cols, ldc, accumulate] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i)) as [
      Local,
      Local,
      Local,
      Local,
      Local,
      Local,
    ];
    const r = f.local('i32');
    const j = f.local('i32');
    const src = f.local('i32');
    const dst = f.local('i32');
    f.forRange(
      r,
      () => f.i32(0),
      () => f.get(rows),
      1,
      () => {
        f.get(tmp)
          .get(r)
          .i32(NR * 4)
          .mul()
          .add()
          .set(src);
        f.get(c).get(r).get(ldc).mul().add().set(dst);
        f.forRange(
          j,
          () => f.i32(0),
          () => f.get(cols),
          1,
          () => {
            // dst = src + (accumulate ? dst : 0)
            f.get(dst);
            f.get(src).f32Load();
            f.get(dst).f32Load().f32(0).get(accumulate).select();
            f.f32Add().f32Store();
            f.increment(src, 4).increment(dst, 4);
          },
        );
      },
    );
  }

  // gemm_block(aPacked, bPacked, c, m, n, kcPad, ldc, accumulate, tmp): every tile of an m x n block.
  {
    const f = block;
    const [ap0, bp, c, m, n, kcPad, ldc, accumulate, tmp] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) =>
      f.param(i),
    ) as [Local, Local, Local, Local, Local, Local, Local, Local, Local];
    const i0 = f.local('i32');
    const j0 = f.local('i32');
    const ap = f.local('i32');
    const cp = f.local('i32');
    const rows = f.local('i32');
    const cols = f.local('i32');
    const aPanel = f.local('i32');
    const bPanel = f.local('i32');
    f.get(kcPad)
      .i32(MR * 4)
      .mul()
      .set(aPanel);
    f.get(kcPad)
      .i32(NR * 4)
      .mul()
      .set(bPanel);
    f.forRange(
      j0,
      () => f.i32(0),
      () => f.get(n),
      NR,
      () => {
        // cols = min(NR, n - j0)
        f.get(n).get(j0).sub().set(cols);
        f.i32(NR).get(cols).get(cols).i32(NR).gtU().select().set(cols);
        f.get(ap0).set(ap);
        f.forRange(
          i0,
          () => f.i32(0),
          () => f.get(m),
          MR,
          () => {
            f.get(m).get(i0).sub().set(rows);
            f.i32(MR).get(rows).get(rows).i32(MR).gtU().select().set(rows);
            f.get(c).get(i0).get(ldc).mul().add().get(j0).i32(4).mul().add().set(cp);
            f.get(rows)
              .i32(MR)
              .eq()
              .get(cols)
              .i32(NR)
              .eq()
              .and()
              .if(
                () => {
                  f.get(ap)
                    .get(bp)
                    .get(cp)
                    .get(kcPad)
                    .get(ldc)
                    .get(accumulate)
                    .call(mod.indexOf('gemm_kernel'));
                },
                () => {
                  f.get(ap)
                    .get(bp)
                    .get(tmp)
                    .get(kcPad)
                    .i32(NR * 4)
                    .i32(0)
                    .call(mod.indexOf('gemm_kernel'));
                  f.get(tmp)
                    .get(cp)
                    .get(rows)
                    .get(cols)
                    .get(ldc)
                    .get(accumulate)
                    .call(mod.indexOf('copy_tile'));
                },
              );
            f.incrementBy(ap, aPanel);
          },
        );
        f.incrementBy(bp, bPanel);
      },
    );
  }

  // pack_full_{a,b}(src, laneStride, kStride, kc, kcPad, dst): one full panel of W lanes, k-major.
  for (const [fn, width] of [
    [packFullA, MR],
    [packFullB, NR],
  ] as const) {
    const f = fn;
    const [src, laneStride, kStride, kc, kcPad, dst] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i)) as [
      Local,
      Local,
      Local,
      Local,
      Local,
      Local,
    ];
    const k = f.local('i32');
    const s = f.local('i32');
    const offsets = Array.from({ length: width }, () => f.local('i32'));
    const rows = Array.from({ length: 4 }, () => f.local('v128'));
    const mixed = Array.from({ length: 4 }, () => f.local('v128'));
    f.get(src).set(s);
    f.get(laneStride)
      .i32(4)
      .eq()
      .if(
        () => {
          // Lanes contiguous: whole vectors.
          f.forRange(
            k,
            () => f.i32(0),
            () => f.get(kc),
            1,
            () => {
              for (let v = 0; v < width / 4; v++)
                f.get(dst)
                  .get(s)
                  .v128Load(16 * v)
                  .v128Store(16 * v);
              f.increment(dst, width * 4).incrementBy(s, kStride);
            },
          );
        },
        () => {
          for (let l = 0; l < width; l++)
            f.get(laneStride)
              .i32(l)
              .mul()
              .set(offsets[l] as Local);
          f.i32(0).set(k);
          // k contiguous (a row-major A, a transposed B): 4 k-steps of 4 lanes at a time, transposed in
          // registers (4 vector loads and 8 shuffles instead of 16 scalar loads).
          f.get(kStride)
            .i32(4)
            .eq()
            .if(() => {
              f.block(() => {
                f.loop(() => {
                  f.get(k).i32(4).add().get(kc).gtU().brIf(1);
                  for (let g = 0; g < width / 4; g++) {
                    for (let r = 0; r < 4; r++) {
                      f.get(s)
                        .get(offsets[4 * g + r] as Local)
                        .add()
                        .v128Load()
                        .set(rows[r] as Local);
                    }
                    const [r0, r1, r2, r3] = rows as [Local, Local, Local, Local];
                    const [t0, t1, t2, t3] = mixed as [Local, Local, Local, Local];
                    f.get(r0).get(r1).shuffle32([0, 4, 1, 5]).set(t0);
                    f.get(r2).get(r3).shuffle32([0, 4, 1, 5]).set(t1);
                    f.get(r0).get(r1).shuffle32([2, 6, 3, 7]).set(t2);
                    f.get(r2).get(r3).shuffle32([2, 6, 3, 7]).set(t3);
                    // Row j of the panel (k + j) gets lanes 4g..4g+3.
                    f.get(dst)
                      .get(t0)
                      .get(t1)
                      .shuffle32([0, 1, 4, 5])
                      .v128Store(16 * g);
                    f.get(dst)
                      .get(t0)
                      .get(t1)
                      .shuffle32([2, 3, 6, 7])
                      .v128Store(width * 4 + 16 * g);
                    f.get(dst)
                      .get(t2)
                      .get(t3)
                      .shuffle32([0, 1, 4, 5])
                      .v128Store(2 * width * 4 + 16 * g);
                    f.get(dst)
                      .get(t2)
                      .get(t3)
                      .shuffle32([2, 3, 6, 7])
                      .v128Store(3 * width * 4 + 16 * g);
                  }
                  f.increment(dst, 4 * width * 4)
                    .increment(s, 16)
                    .increment(k, 4)
                    .br(0);
                });
              });
            });
          f.forRange(
            k,
            () => f.get(k),
            () => f.get(kc),
            1,
            () => {
              for (let l = 0; l < width; l++) {
                f.get(dst)
                  .get(s)
                  .get(offsets[l] as Local)
                  .add()
                  .f32Load()
                  .f32Store(4 * l);
              }
              f.increment(dst, width * 4).incrementBy(s, kStride);
            },
          );
        },
      );
    // Zero padding up to kcPad.
    f.forRange(
      k,
      () => f.get(kc),
      () => f.get(kcPad),
      1,
      () => {
        for (let v = 0; v < width / 4; v++)
          f.get(dst)
            .v128Zero()
            .v128Store(16 * v);
        f.increment(dst, width * 4);
      },
    );
  }

  // pack_partial(src, laneStride, kStride, lanes, width, kc, kcPad, dst): an edge panel, zero-filled.
  {
    const f = packPartial;
    const [src, laneStride, kStride, lanes, width, kc, kcPad, dst] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
      f.param(i),
    ) as [Local, Local, Local, Local, Local, Local, Local, Local];
    const k = f.local('i32');
    const l = f.local('i32');
    const s = f.local('i32');
    f.forRange(
      k,
      () => f.i32(0),
      () => f.get(kcPad),
      1,
      () => {
        f.get(src).get(k).get(kStride).mul().add().set(s);
        f.forRange(
          l,
          () => f.i32(0),
          () => f.get(width),
          1,
          () => {
            f.get(l).get(lanes).ltU().get(k).get(kc).ltU().and();
            f.if(
              () => {
                f.get(dst).get(s).f32Load().f32Store();
              },
              () => {
                f.get(dst).f32(0).f32Store();
              },
            );
            f.increment(dst, 4).incrementBy(s, laneStride);
          },
        );
      },
    );
  }

  // pack_a(src, rowStride, kStride, rows, kc, kcPad, dst) and
  // pack_b(src, kStride, colStride, cols, kc, kcPad, dst): every panel of the block.
  for (const [fn, width, full, laneFirst] of [
    [packA, MR, 'pack_full_a', true],
    [packB, NR, 'pack_full_b', false],
  ] as const) {
    const f = fn;
    const [src, s1, s2, lanes, kc, kcPad, dst] = [0, 1, 2, 3, 4, 5, 6].map((i) => f.param(i)) as [
      Local,
      Local,
      Local,
      Local,
      Local,
      Local,
      Local,
    ];
    const laneStride = laneFirst ? s1 : s2;
    const kStride = laneFirst ? s2 : s1;
    const p = f.local('i32');
    const s = f.local('i32');
    const panelBytes = f.local('i32');
    const left = f.local('i32');
    f.get(kcPad)
      .i32(width * 4)
      .mul()
      .set(panelBytes);
    f.get(src).set(s);
    f.forRange(
      p,
      () => f.i32(0),
      () => f.get(lanes),
      width,
      () => {
        f.get(lanes).get(p).sub().set(left);
        f.get(left)
          .i32(width)
          .geU()
          .if(
            () => {
              f.get(s).get(laneStride).get(kStride).get(kc).get(kcPad).get(dst).call(mod.indexOf(full));
            },
            () => {
              f.get(s)
                .get(laneStride)
                .get(kStride)
                .get(left)
                .i32(width)
                .get(kc)
                .get(kcPad)
                .get(dst)
                .call(mod.indexOf('pack_partial'));
            },
          );
        f.incrementBy(dst, panelBytes);
        f.get(s).get(laneStride).i32(width).mul().add().set(s);
      },
    );
  }
}
