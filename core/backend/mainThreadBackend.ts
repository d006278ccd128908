import * as tf from '@tensorflow/tfjs';

/**
 * Where the scheduler runs, tfjs only loads, checks and saves models (the work runs in the pool's threads):
 * the plain cpu backend is enough, and needs no wasm module or native addon in the main thread.
 */
export async function ensureMainThreadBackend(): Promise<void> {
  tf.enableProdMode();
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
}
