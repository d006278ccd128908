// Worker-thread entry for wasmThreads.test.ts: starts wasm in this thread and returns one conv gradient.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { convFilterGradient } from './convFilterGradient.ts';

const { wasmSimd } = workerData as { wasmSimd: boolean };
const info = await selectBackend('wasm', { wasmSimd });
const again = await selectBackend('wasm');
parentPort?.postMessage({
  info,
  sameInfo: again === info,
  simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
  gradient: convFilterGradient(),
});
