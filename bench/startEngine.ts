import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { wasmDistDir } from '../core/backend/wasmDistDir.ts';

/** The tfjs configurations the speed benchmarks compare. */
export type Engine = 'chorus-wasm' | 'stock-wasm' | 'tfjs-cpu';

export const ENGINE_LABELS: Record<Engine | 'torch', string> = {
  'chorus-wasm': 'Chorus wasm (1 thread)',
  'stock-wasm': 'stock tfjs wasm',
  'tfjs-cpu': 'tfjs cpu',
  torch: 'PyTorch CPU (one core)',
};

export interface EngineInfo {
  engine: Engine;
  backend: string;
  /** Kernels Chorus replaced (empty for stock configurations). */
  patchedKernels: string[];
  /** Whether the wasm binary in use is the SIMD one (null for cpu). */
  simd: boolean | null;
  /** Whether the wasm registry has Conv2DBackpropFilter (stock wasm does not). */
  hasConv2DBackpropFilter: boolean;
}

/**
 * Starts one engine in this process. Must be the only engine this process ever starts: `stock-wasm`
 * relies on Chorus' kernels never having been registered here, which is why each configuration runs in
 * its own child process.
 */
export async function startEngine(engine: Engine): Promise<EngineInfo> {
  // As the pool threads do: no debug checks.
  tf.enableProdMode();
  let patchedKernels: string[] = [];
  if (engine === 'chorus-wasm') {
    const { selectBackend } = await import('../core/backend/selectBackend.ts');
    patchedKernels = (await selectBackend('wasm')).patchedKernels;
  } else if (engine === 'stock-wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The same binary choice as selectBackend's default: no threads (Node cannot start them), SIMD
    // left to tfjs's feature test (which picks it in Node 20).
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths(wasmDistDir() + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new Error('stock wasm backend failed to start');
    await tf.ready();
  } else {
    if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to start');
    await tf.ready();
  }
  const name = tf.getBackend();
  const simd = name === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : null;
  return {
    engine,
    backend: name,
    patchedKernels,
    simd,
    hasConv2DBackpropFilter: tf.getKernel('Conv2DBackpropFilter', name) !== undefined,
  };
}
