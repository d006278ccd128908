import '@tensorflow/tfjs-backend-wasm';
import {
  Add,
  BatchMatMul,
  Cast,
  Conv2D,
  Conv2DBackpropInput,
  FusedConv2D,
  getKernel,
  Identity,
  MaxPoolGrad,
  OneHot,
  registerKernel,
  Sum,
  Transpose,
  unregisterKernel,
  _FusedMatMul,
} from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { adamStepConfig } from './adamStep.ts';
import { biasAddConfig } from './biasAdd.ts';
import { columnSumConfig } from './columnSum.ts';
import { conv2DBackpropFilterConfig } from './conv2DBackpropFilter.ts';
import { conv2DBackpropInputConfig } from './conv2DBackpropInput.ts';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwiseConv2dNativeBackpropFilter.ts';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwiseConv2dNativeBackpropInput.ts';
import { fastMatMulConfig } from './fastMatMul.ts';
import { gemmConv2DConfig } from './gemmConv2D.ts';
import { gemmConv2DBackpropFilterConfig } from './gemmConv2DBackpropFilter.ts';
import { gemmConv2DBackpropInputConfig } from './gemmConv2DBackpropInput.ts';
import { gemmMatMulConfig } from './gemmMatMul.ts';
import { maxPoolGradConfig } from './maxPoolGrad.ts';
import { oneHotConfig } from './oneHot.ts';
import { sharedIdentityConfig } from './sharedIdentity.ts';
import { simdMaxPoolGradConfig } from './simdMaxPoolGrad.ts';
import { sparseSoftmaxCrossEntropyConfig } from './sparseSoftmaxCrossEntropy.ts';

// Per thread (each worker thread has its own module instances and kernel registry).
let patches: KernelConfig[] | undefined;

function stockKernel(name: string): KernelConfig {
  const kernel = getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`the wasm backend has no ${name} kernel to build on`);
  return kernel;
}

/**
 * Chorus' wasm kernels, built on the stock ones the first time this thread asks. Most run on Chorus' own
 * SIMD module (core/backend/wasm/simd) and fall back, case by case, to the kernel they wrap: the earlier
 * JS-side fixes (transposes for XNNPACK, JS im2col) where the module cannot be bound, the stock kernel for
 * inputs they do not handle.
 */
function chorusKernels(): KernelConfig[] {
  if (patches === undefined) {
    const transpose = stockKernel(Transpose).kernelFunc;
    const batchMatMul = gemmMatMulConfig(fastMatMulConfig(stockKernel(BatchMatMul), transpose));
    patches = [
      batchMatMul,
      gemmMatMulConfig(fastMatMulConfig(stockKernel(_FusedMatMul), transpose)),
      gemmConv2DConfig(stockKernel(Conv2D)),
      gemmConv2DConfig(stockKernel(FusedConv2D)),
      gemmConv2DBackpropFilterConfig(conv2DBackpropFilterConfig(batchMatMul.kernelFunc)),
      gemmConv2DBackpropInputConfig(
        conv2DBackpropInputConfig(stockKernel(Conv2DBackpropInput), batchMatMul.kernelFunc),
      ),
      depthwiseConv2dNativeBackpropFilterConfig(),
      depthwiseConv2dNativeBackpropInputConfig(),
      simdMaxPoolGradConfig(maxPoolGradConfig(stockKernel(MaxPoolGrad))),
      columnSumConfig(stockKernel(Sum)),
      biasAddConfig(stockKernel(Add)),
      sharedIdentityConfig(stockKernel(Identity)),
      sharedIdentityConfig(stockKernel(Cast), true),
      oneHotConfig(stockKernel(OneHot), stockKernel(Cast).kernelFunc),
      adamStepConfig,
      sparseSoftmaxCrossEntropyConfig,
    ];
  }
  return patches;
}

/**
 * Registers Chorus' wasm kernels (SIMD GEMM matmuls and convolutions, conv and pooling gradients, bias
 * adds and bias gradients, copy-free identity, a fused Adam step and training loss, a float32 one-hot that
 * works) in this thread's registry and returns
 * their names. Idempotent. Call it before `tf.setBackend('wasm')`: the replacements keep the stock
 * kernels' setup functions, which the engine runs when the backend starts.
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
