import '@tensorflow/tfjs-backend-wasm';
import {
  BatchMatMul,
  Conv2DBackpropInput,
  getKernel,
  MaxPoolGrad,
  registerKernel,
  Transpose,
  unregisterKernel,
  _FusedMatMul,
} from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2DBackpropFilter.ts';
import { conv2DBackpropInputConfig } from './conv2DBackpropInput.ts';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwiseConv2dNativeBackpropFilter.ts';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwiseConv2dNativeBackpropInput.ts';
import { fastMatMulConfig } from './fastMatMul.ts';
import { maxPoolGradConfig } from './maxPoolGrad.ts';

// Per thread (each worker thread has its own module instances and kernel registry).
let patches: KernelConfig[] | undefined;

function stockKernel(name: string): KernelConfig {
  const kernel = getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`the wasm backend has no ${name} kernel to build on`);
  return kernel;
}

/** Chorus' wasm kernels, built on the stock ones the first time this thread asks. */
function chorusKernels(): KernelConfig[] {
  if (patches === undefined) {
    const transpose = stockKernel(Transpose).kernelFunc;
    const batchMatMul = fastMatMulConfig(stockKernel(BatchMatMul), transpose);
    patches = [
      batchMatMul,
      fastMatMulConfig(stockKernel(_FusedMatMul), transpose),
      conv2DBackpropFilterConfig(batchMatMul.kernelFunc),
      conv2DBackpropInputConfig(stockKernel(Conv2DBackpropInput), batchMatMul.kernelFunc),
      depthwiseConv2dNativeBackpropFilterConfig(),
      depthwiseConv2dNativeBackpropInputConfig(),
      maxPoolGradConfig(stockKernel(MaxPoolGrad)),
    ];
  }
  return patches;
}

/**
 * Registers Chorus' wasm kernels (fast transposed and batched matmuls; the conv gradients wasm lacks or
 * runs slowly; a faster MaxPoolGrad) in this thread's registry and returns their names. Idempotent. Call it before `tf.setBackend('wasm')`: the
 * replacements keep the stock kernels' setup functions, which the engine runs when the backend starts.
 */
export function registerWasmKernels(): string[] {
  const kernels = chorusKernels();
  for (const kernel of kernels) {
    if (getKernel(kernel.kernelName, 'wasm') === kernel) continue;
    // Unregister first: registering over an existing kernel prints a warning.
    if (getKernel(kernel.kernelName, 'wasm') !== undefined) unregisterKernel(kernel.kernelName, 'wasm');
    registerKernel(kernel);
  }
  return kernels.map((k) => k.kernelName);
}
