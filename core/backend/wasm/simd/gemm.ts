import type { ChorusWasm } from './chorusWasm.ts';
import { K_UNROLL, MR, NR } from './gemmCode.ts';

/** A matrix on the wasm heap: element (i, j) is at byte `pointer + 4 * (i * rowStride + j * colStride)`. */
export interface HeapMatrix {
  pointer: number;
  rowStride: number;
  colStride: number;
}

/** Depth of one packed block of k (the micro-kernel's panels stay in L1: 256 x 8 floats = 8 KiB). */
const KC = 256;
/** Rows of A packed at once (192 x 256 floats = 192 KiB, in L2). */
const MC = 192;

const roundUp = (n: number, step: number): number => Math.ceil(n / step) * step;

/**
 * C (m x n, row-major, contiguous) = A (m x k) B (k x n), or C += A B with `accumulate`; A and B may be
 * strided views (e.g. transposed). Blocked over k (KC) and rows (MC); B's k-block is packed once and
 * reused by every row block.
 */
export function gemm(
  wasm: ChorusWasm,
  a: HeapMatrix,
  b: HeapMatrix,
  c: number,
  m: number,
  n: number,
  k: number,
  accumulate = false,
): void {
  const x = wasm.exports;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) wasm.floats(c, m * n).fill(0);
    return;
  }
  const kcMax = Math.min(KC, roundUp(k, K_UNROLL));
  const mcMax = Math.min(MC, m);
  const bBytes = roundUp(n, NR) * kcMax * 4;
  const aBytes = roundUp(mcMax, MR) * kcMax * 4;
  const tileBytes = MR * NR * 4;
  // One allocation: B's packed block, then A's, then the edge tile.
  const base = wasm.scratch('gemm', bBytes + aBytes + tileBytes);
  const bPacked = base;
  const aPacked = base + bBytes;
  const tile = aPacked + aBytes;
  const ldc = n * 4;
  for (let p = 0; p < k; p += KC) {
    const kc = Math.min(KC, k - p);
    const kcPad = roundUp(kc, K_UNROLL);
    x.pack_b(b.pointer + 4 * p * b.rowStride, 4 * b.rowStride, 4 * b.colStride, n, kc, kcPad, bPacked);
    const add = accumulate || p > 0 ? 1 : 0;
    for (let i = 0; i < m; i += MC) {
      const mc = Math.min(MC, m - i);
      x.pack_a(
        a.pointer + 4 * (i * a.rowStride + p * a.colStride),
        4 * a.rowStride,
        4 * a.colStride,
        mc,
        kc,
        kcPad,
        aPacked,
      );
      x.gemm_block(aPacked, bPacked, c + i * ldc, mc, n, kcPad, ldc, add, tile);
    }
  }
}
