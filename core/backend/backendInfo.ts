import type { BackendChoice } from './backendChoice.ts';

/** The tfjs backend a thread runs on, as reports and metrics name it. */
export interface BackendInfo {
  /** The tfjs backend name (`tf.getBackend()`). */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** The npm package that provides it. */
  package: string;
  /** That package's version. */
  version: string;
  /** What was asked for (`auto` records the request, `name` what it resolved to). */
  choice: BackendChoice;
  /** True when the native backend is the GPU build. */
  gpu: boolean;
  /** Kernels Chorus replaced or added on this backend (empty unless wasm). */
  patchedKernels: string[];
}
