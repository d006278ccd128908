import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { bindChorusWasm, chorusWasm, type ChorusWasm } from '../../core/backend/wasm/simd/chorusWasm.ts';
import { FMA_ENV, relaxedSimdEnabled } from '../../core/backend/wasm/simd/relaxedSimd.ts';
import { gemm } from '../../core/backend/wasm/simd/gemm.ts';
import { randomValues, relativeError } from './compareBackends.ts';

const TOLERANCE = 1e-4;

let wasm: ChorusWasm;
/** The GEMM with separate multiplies and adds, whichever variant the kernels use. */
let plain: ChorusWasm;

before(async () => {
  await selectBackend('wasm');
  const bound = chorusWasm(tf.backend() as BackendWasm);
  assert.ok(bound, "Chorus' wasm module binds to the tfjs heap");
  wasm = bound;
  const other = bindChorusWasm(tf.backend() as BackendWasm, false);
  assert.ok(other);
  plain = other;
});

test('relaxed SIMD (fused multiply-adds) is used by the GEMM in this Node unless CHORUS_WASM_FMA=0', () => {
  assert.equal(relaxedSimdEnabled(), process.env[FMA_ENV] !== '0');
});

/** C = A B (+ C0) in float64 from row-major arrays, A stored [k, m] when transposed, B [n, k]. */
function reference(
  a: Float32Array,
  b: Float32Array,
  c0: Float32Array | undefined,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 ? (c0[i * n + j] as number) : 0;
      for (let p = 0; p < k; p++) {
        s += (a[ta ? p * m + i : i * k + p] as number) * (b[tb ? j * k + p : p * n + j] as number);
      }
      out[i * n + j] = s;
    }
  }
  return out;
}

test('the SIMD GEMM (fused and plain) matches a float64 product over edge tiles, k blocks, row blocks, transposes and accumulation', () => {
  // Shapes around the 4 x 8 register tile, the 256-deep k blocks and the 192-row blocks.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [4, 8, 1],
    [5, 9, 3],
    [3, 7, 257],
    [13, 17, 300],
    [200, 10, 513],
    [9, 16, 700],
    [193, 33, 20],
    [64, 64, 64],
  ];
  let seed = 1;
  for (const variant of [wasm, plain])
    for (const [m, n, k] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const accumulate of [false, true]) {
            const av = randomValues(m * k, seed++);
            const bv = randomValues(k * n, seed++);
            const cv = randomValues(m * n, seed++);
            const [A, B, C] = [
              tf.tensor(av, ta ? [k, m] : [m, k]),
              tf.tensor(bv, tb ? [n, k] : [k, n]),
              tf.tensor(cv, [m, n]),
            ];
            gemm(
              variant,
              { pointer: wasm.pointer(A), rowStride: ta ? 1 : k, colStride: ta ? m : 1 },
              { pointer: wasm.pointer(B), rowStride: tb ? 1 : n, colStride: tb ? k : 1 },
              wasm.pointer(C),
              m,
              n,
              k,
              accumulate,
            );
            const expected = reference(av, bv, accumulate ? cv : undefined, m, n, k, ta, tb);
            const err = relativeError(C.dataSync(), expected);
            assert.ok(err < TOLERANCE, `${m}x${k} @ ${k}x${n} ta=${ta} tb=${tb} acc=${accumulate}: ${err}`);
            tf.dispose([A, B, C]);
          }
        }
      }
    }
});

test('a GEMM with k = 0 writes zeros (or leaves C alone when accumulating)', () => {
  const A = tf.zeros([3, 0]);
  const B = tf.zeros([0, 5]);
  const C = tf.fill([3, 5], 7);
  const call = (accumulate: boolean): void =>
    gemm(
      wasm,
      { pointer: wasm.pointer(A), rowStride: 0, colStride: 1 },
      { pointer: wasm.pointer(B), rowStride: 5, colStride: 1 },
      wasm.pointer(C),
      3,
      5,
      0,
      accumulate,
    );
  call(true);
  assert.deepEqual(Array.from(C.dataSync()), new Array(15).fill(7));
  call(false);
  assert.deepEqual(Array.from(C.dataSync()), new Array(15).fill(0));
  tf.dispose([A, B, C]);
});

test('scratch areas are reused, grow on demand and stay 16-byte aligned', () => {
  const first = wasm.scratch('kernel', 1000);
  assert.equal(first % 16, 0);
  assert.equal(wasm.scratch('kernel', 500), first, 'a smaller request reuses the area');
  const grown = wasm.scratch('kernel', 1 << 20);
  assert.equal(grown % 16, 0);
  const floats = wasm.floats(grown, 1 << 18);
  floats.fill(3);
  assert.equal(floats[(1 << 18) - 1], 3, 'the grown area is writable to its end');
});
