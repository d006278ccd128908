import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A Float32Array view of a tensor's bytes on the wasm heap. Take views only after the last allocation
 * (`makeOutput`) of a kernel: growing the heap detaches every earlier view.
 */
export function heapFloats(backend: BackendWasm, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) throw new Error('wasm heap view is not a Float32Array');
  return view;
}
