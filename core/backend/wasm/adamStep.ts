import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ADAM_STEP, type AdamStepAttrs } from '../adamStepKernel.ts';
import { chorusWasm } from './simd/chorusWasm.ts';

/**
 * One Adam step for one variable, fused: (param, grad, m, v) -> (param', m', v'), all float32 of one
 * shape, in one SIMD pass with tfjs' own f32 operation order (instead of ~15 kernels and as many
 * temporaries). The new parameters always get new data: stock kernels cache packed weights by data id.
 * The moments are written in place (returned as the same data) unless something else shares them.
 */
export const adamStepConfig: KernelConfig = {
  kernelName: ADAM_STEP,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend, attrs }) => {
    const wasm = chorusWasm(backend as BackendWasm);
    if (wasm === undefined) throw new Error(`${ADAM_STEP}: Chorus' wasm module is not available`);
    const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', TensorInfo | undefined>;
    if (param === undefined || grad === undefined || m === undefined || v === undefined) {
      throw new Error(`${ADAM_STEP} needs inputs param, grad, m and v`);
    }
    const size = param.shape.reduce((a, b) => a * b, 1);
    for (const [name, t] of Object.entries({ grad, m, v })) {
      if (t.dtype !== 'float32' || t.shape.reduce((a, b) => a * b, 1) !== size) {
        throw new Error(
          `${ADAM_STEP}: ${name} must be float32 with ${size} values, got ${t.dtype} [${t.shape}]`,
        );
      }
    }
    if (param.dtype !== 'float32') throw new Error(`${ADAM_STEP}: param must be float32, got ${param.dtype}`);
    const a = attrs as unknown as AdamStepAttrs;
    // The moments are updated in place when nothing else holds their data (they are never a kernel's
    // cached weights); the parameters always get new data.
    const inPlace = (t: TensorInfo): TensorInfo => {
      if (wasm.backend.refCount(t.dataId) !== 1) return wasm.backend.makeOutput([...t.shape], 'float32');
      wasm.backend.incRef(t.dataId);
      return { dataId: t.dataId, shape: t.shape, dtype: 'float32' };
    };
    const outs = [wasm.backend.makeOutput([...param.shape], 'float32'), inPlace(m), inPlace(v)];
    const [p2, m2, v2] = outs as [TensorInfo, TensorInfo, TensorInfo];
    // The scalars as tfjs makes them: each a float32 (the wasm parameters round to f32 on the way in).
    const c1 = Math.fround(1 - Math.fround(a.accBeta1));
    const c2 = Math.fround(1 - Math.fround(a.accBeta2));
    wasm.exports.adam(
      wasm.pointer(param),
      wasm.pointer(grad),
      wasm.pointer(m),
      wasm.pointer(v),
      wasm.pointer(p2),
      wasm.pointer(m2),
      wasm.pointer(v2),
      size,
      a.beta1,
      1 - a.beta1,
      a.beta2,
      1 - a.beta2,
      c1,
      c2,
      -a.learningRate,
      a.epsilon,
    );
    return outs;
  }) satisfies KernelFunc,
};
