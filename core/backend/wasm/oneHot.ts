import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * `OneHot` with a dtype other than int32. The stock wasm kernel (tfjs 4.22) writes int32 values whatever
 * dtype it is asked for, so a float32 one-hot row read back as 1.4e-45 instead of 1: the distillation
 * loss's hard-label term came out as 0 on wasm and students learned from the teacher alone. This runs
 * the stock kernel as int32 and casts; int32 requests go to the stock kernel unchanged.
 */
export function oneHotConfig(stock: KernelConfig, cast: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const dtype = (args.attrs as { dtype?: DataType } | undefined)?.dtype ?? 'int32';
    if (dtype === 'int32') return stock.kernelFunc(args);
    const ints = stock.kernelFunc({ ...args, attrs: { ...args.attrs, dtype: 'int32' } }) as TensorInfo;
    const out = cast({ inputs: { x: ints }, backend: args.backend, attrs: { dtype } }) as TensorInfo;
    (args.backend as BackendWasm).disposeData(ints.dataId);
    return out;
  };
  return { ...stock, kernelFunc };
}
