import { connectDataPlane } from '../cluster/client/dataPlaneConnection.ts';
import { CHUNK_BYTES } from '../cluster/grpc/messageLimits.ts';
import { emitResult, numberArg, parseArgs, stringArg } from './emitResult.ts';

/**
 * The worker side of bench/logitStreaming.ts, in its own process as a real worker is: streams a float32
 * array of `--mib` MiB to the coordinator at `--address` `--reps` times and reports each call's seconds
 * (first chunk out to the coordinator's reply, so reassembly on the coordinator is included).
 */

export interface LogitStreamingResult {
  bytes: number;
  chunkBytes: number;
  seconds: number[];
}

const args = parseArgs(process.argv.slice(2));
const address = stringArg(args, 'address');
const mib = numberArg(args, 'mib', 64);
const chunkBytes = numberArg(args, 'chunk-bytes', CHUNK_BYTES);
const reps = numberArg(args, 'reps', 5);

const floats = (mib * 1024 * 1024) / 4;
const cols = 16;
const values = new Float32Array(floats);
for (let i = 0; i < floats; i++) values[i] = Math.sin(i);
const plane = connectDataPlane(address, { chunkBytes });
const array = (rep: number, v: Float32Array) => ({
  jobId: 'bench',
  taskId: 'predict:bench',
  dispatchId: `rep-${rep}`,
  key: `predictions/bench/${rep}.f32`,
  split: 'test',
  rows: v.length / cols,
  cols,
  values: v,
});
try {
  // Connect, and one full-size stream first: a worker streams many arrays in its life, so the steady
  // state is what counts, not the first call's JIT compilation and page faults.
  await plane.putLogits(array(-1, values));
  const seconds: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const started = performance.now();
    await plane.putLogits(array(rep, values));
    seconds.push((performance.now() - started) / 1000);
  }
  emitResult({ bytes: values.byteLength, chunkBytes, seconds } satisfies LogitStreamingResult);
} finally {
  plane.close();
}
