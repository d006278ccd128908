import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import type { BackendInfo } from '../../core/backend/backendInfo.ts';
import { convFilterGradient } from './convFilterGradient.ts';
import { relativeError } from './compareBackends.ts';

interface WorkerReply {
  info: BackendInfo;
  sameInfo: boolean;
  simd: boolean;
  gradient: number[];
}

function runWorker(wasmSimd: boolean): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    // Workers do not inherit the tsx loader: register it in the thread, then load the TypeScript entry.
    const entry = new URL('./wasmThreadWorker.ts', import.meta.url).href;
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
    const worker = new Worker(bootstrap, { eval: true, workerData: { wasmSimd } });
    worker.once('message', (reply: WorkerReply) => {
      resolve(reply);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before replying`)));
  });
}

test('each worker thread starts its own wasm engine (SIMD or plain) with the patched kernels', async () => {
  const cpuInfo = await selectBackend('cpu');
  assert.equal(cpuInfo.name, 'cpu');
  const reference = convFilterGradient();
  await selectBackend('wasm');
  const mainWasm = convFilterGradient();
  const replies = await Promise.all([runWorker(true), runWorker(false)]);
  assert.deepEqual(
    replies.map((r) => r.simd),
    [true, false],
    'wasmSimd: false loads the plain binary',
  );
  assert.deepEqual(replies[0]?.gradient, mainWasm, 'same numbers in every thread with the same binary');
  for (const reply of replies) {
    assert.equal(reply.info.name, 'wasm');
    assert.ok(reply.info.patchedKernels.includes('Conv2DBackpropFilter'));
    assert.equal(reply.sameInfo, true, 'a second call in the thread returns the recorded info');
    const err = relativeError(reply.gradient, reference);
    assert.ok(err < 1e-4, `wasm in a worker vs cpu: relative error ${err}`);
  }
});
