import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * `Identity`, and `Cast` to the dtype a tensor already has, sharing the input's data (reference counted,
 * as the cpu backend and the wasm `Reshape` do) instead of copying it. Gradient code calls both a lot:
 * every tensor a custom gradient saves is cloned, and the clone's gradient is a float32 -> float32 cast
 * (for a CNN on 128 images that was ~25 MB of copies per step). Safe because no wasm kernel writes into
 * its inputs. Real casts go to `stock`.
 */
export function sharedIdentityConfig(stock: KernelConfig, castsOnly = false): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    if (x === undefined || x.dtype === 'string') return stock.kernelFunc(args);
    if (castsOnly && attrs?.['dtype'] !== x.dtype) return stock.kernelFunc(args);
    (backend as BackendWasm).incRef(x.dataId);
    const out: TensorInfo = { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    return out;
  };
  return { ...stock, kernelFunc };
}
