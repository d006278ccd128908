import { broadcast_util } from '@tensorflow/tfjs';
import type {
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './heapFloats.ts';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * Below this many multiply-adds per matrix, one stock call over the whole batch beats a call per matrix
 * (measured: 8x16x8 matrices 12x slower split, 32x32x32 2x faster, 128x256x128 13x faster).
 */
const SPLIT_MIN_MULTIPLY_ADDS = 16384;

/**
 * (The fallback of gemmMatMul.ts: PReLU and other activations, odd bias shapes, non-float32, or no SIMD
 * module.) Wraps the stock wasm matmul kernel (`BatchMatMul` or `_FusedMatMul`) so it runs on XNNPACK's
 * single-matrix path, the only fast one:
 * - with `transposeA`/`transposeB` the stock kernel falls back to a naive loop (~10x slower), so
 *   transposed inputs are materialised first with the wasm `Transpose` kernel;
 * - with several matrices in the batch it is slow too, so batches of large matrices are split into one
 *   stock call per matrix; `_FusedMatMul` with a bias is always split, as the stock kernel adds the bias
 *   at wrong offsets when the batch has more than one matrix.
 * Every intermediate is freed with `disposeData`.
 */
export function fastMatMulConfig(stock: KernelConfig, transpose: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { a, b } = inputs;
    if (a === undefined || b === undefined) throw new Error(`${stock.kernelName} needs inputs a and b`);
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc({ inputs, backend, attrs });
    const batchA = product(a.shape.slice(0, -2));
    const batchB = product(b.shape.slice(0, -2));
    const rows = transposeA ? (a.shape.at(-1) ?? 1) : (a.shape.at(-2) ?? 1);
    const inner = transposeA ? (a.shape.at(-2) ?? 1) : (a.shape.at(-1) ?? 1);
    const columns = transposeB ? (b.shape.at(-2) ?? 1) : (b.shape.at(-1) ?? 1);
    const fused = inputs['bias'] !== undefined || inputs['preluActivationWeights'] !== undefined;
    const split =
      Math.max(batchA, batchB) > 1 &&
      (fused || rows * inner * columns >= SPLIT_MIN_MULTIPLY_ADDS) &&
      canSplit(inputs, batchA, batchB, columns);
    if (!transposeA && !transposeB && !split) return stock.kernelFunc({ inputs, backend, attrs });
    const temporaries: TensorInfo[] = [];
    const swapLastTwo = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      const rank = perm.length;
      perm[rank - 1] = rank - 2;
      perm[rank - 2] = rank - 1;
      const out = transpose({ inputs: { x }, backend, attrs: { perm } });
      if (Array.isArray(out)) throw new Error('Transpose returned several tensors');
      temporaries.push(out);
      return out;
    };
    try {
      const left = transposeA ? swapLastTwo(a) : a;
      const right = transposeB ? swapLastTwo(b) : b;
      const untransposed: NamedAttrMap = { ...attrs, transposeA: false, transposeB: false };
      const call: NamedTensorInfoMap = { ...inputs, a: left, b: right };
      if (!split) return stock.kernelFunc({ inputs: call, backend, attrs: untransposed });
      return matrixByMatrix(wasm, stock.kernelFunc, call, untransposed);
    } finally {
      for (const t of temporaries) wasm.disposeData(t.dataId);
    }
  };
  return { ...stock, kernelFunc };
}

/**
 * Splitting needs batches that pair up one to one (or one side with a single matrix) and PReLU weights, if
 * any, that apply per column; anything else stays with the stock kernel.
 */
function canSplit(inputs: NamedTensorInfoMap, batchA: number, batchB: number, columns: number): boolean {
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return false;
  const prelu = inputs['preluActivationWeights'];
  return prelu === undefined || product(prelu.shape) === 1 || product(prelu.shape) === columns;
}

/** One stock call per matrix of the batch; a side with a single matrix is shared by all calls. */
function matrixByMatrix(
  wasm: BackendWasm,
  stockFunc: KernelFunc,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [kb, n] = b.shape.slice(-2) as [number, number];
  if (k !== kb) throw new Error(`matMul: inner dimensions differ, [${a.shape}] x [${b.shape}]`);
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = product(outer);
  const batchA = product(a.shape.slice(0, -2));
  const batchB = product(b.shape.slice(0, -2));
  const out = wasm.makeOutput([...outer, m, n], 'float32');
  try {
    for (let i = 0; i < batch; i++) {
      const owned: TensorInfo[] = [];
      try {
        const slice = (x: TensorInfo, count: number, rows: number, cols: number): TensorInfo => {
          // Rank 3, as _FusedMatMul expects. A side with one matrix is shared, viewed by dataId (no copy).
          if (count === 1) return { dataId: x.dataId, shape: [1, rows, cols], dtype: 'float32' };
          const part = wasm.makeOutput([1, rows, cols], 'float32');
          owned.push(part);
          const size = rows * cols;
          heapFloats(wasm, part).set(heapFloats(wasm, x).subarray(i * size, (i + 1) * size));
          return part;
        };
        const ai = slice(a, batchA, m, k);
        const bi = slice(b, batchB, k, n);
        const result = stockFunc({ inputs: { ...inputs, a: ai, b: bi }, backend: wasm, attrs });
        if (Array.isArray(result)) throw new Error('matMul returned several tensors');
        owned.push(result);
        heapFloats(wasm, out).set(heapFloats(wasm, result), i * m * n);
      } finally {
        for (const t of owned) wasm.disposeData(t.dataId);
      }
    }
  } catch (error) {
    wasm.disposeData(out.dataId);
    throw error;
  }
  return out;
}
