import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SPARSE_SOFTMAX_CROSS_ENTROPY } from '../softmaxCrossEntropyKernel.ts';

/**
 * The training loss in one kernel (see softmaxCrossEntropyKernel.ts), computed in float64 on the heap:
 * tf.losses.softmaxCrossEntropy(oneHot(labels), logits) runs ~30 small kernels forward and backward,
 * each with its engine overhead. A label outside [0, classes) is an all-zero one-hot row, as tf.oneHot
 * makes it.
 */
export const sparseSoftmaxCrossEntropyConfig: KernelConfig = {
  kernelName: SPARSE_SOFTMAX_CROSS_ENTROPY,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend }) => {
    const wasm = backend as BackendWasm;
    const { logits, labels } = inputs as Record<'logits' | 'labels', TensorInfo | undefined>;
    if (logits === undefined || labels === undefined) {
      throw new Error(`${SPARSE_SOFTMAX_CROSS_ENTROPY} needs inputs logits and labels`);
    }
    const [n, classes] = logits.shape as [number, number];
    if (logits.shape.length !== 2 || logits.dtype !== 'float32') {
      throw new Error(
        `${SPARSE_SOFTMAX_CROSS_ENTROPY}: logits must be float32 [n, classes], got [${logits.shape}]`,
      );
    }
    if (labels.dtype !== 'int32' || labels.shape.length !== 1 || labels.shape[0] !== n) {
      throw new Error(
        `${SPARSE_SOFTMAX_CROSS_ENTROPY}: labels must be int32 [${n}], got ${labels.dtype} [${labels.shape}]`,
      );
    }
    const loss = wasm.makeOutput([], 'float32');
    const grad = wasm.makeOutput([n, classes], 'float32');
    // Views after the last allocation (an allocation can move the heap).
    const x = wasm.typedArrayFromHeap(logits);
    const y = wasm.typedArrayFromHeap(labels);
    const g = wasm.typedArrayFromHeap(grad);
    let total = 0;
    for (let r = 0; r < n; r++) {
      const row = r * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, x[row + c] as number);
      let z = 0;
      for (let c = 0; c < classes; c++) z += Math.exp((x[row + c] as number) - max);
      const logZ = Math.log(z) + max;
      const label = y[r] as number;
      for (let c = 0; c < classes; c++) {
        const p = Math.exp((x[row + c] as number) - logZ);
        g[row + c] = (c === label ? p - 1 : p) / n;
      }
      if (label >= 0 && label < classes) total += logZ - (x[row + label] as number);
    }
    wasm.typedArrayFromHeap(loss)[0] = n > 0 ? total / n : Number.NaN;
    return [loss, grad];
  }) satisfies KernelFunc,
};
