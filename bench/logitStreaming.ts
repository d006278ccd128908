import { pathToFileURL } from 'node:url';
import { startCoordinatorServer } from '../coordinator/grpc/coordinatorServer.ts';
import { CHUNK_BYTES } from '../cluster/grpc/messageLimits.ts';
import { median } from './aggregation.ts';
import type { LogitStreamingResult } from './logitStreamingWorker.ts';
import { runTsChild } from './runChild.ts';

/**
 * Data-plane throughput: a worker process streams a float32 array (default 64 MiB, 4 MiB chunks) over
 * gRPC on loopback to an in-process coordinator server, which reassembles and checks it.
 * Run: `npx tsx bench/logitStreaming.ts [MiB] [chunkBytes]`.
 */

export interface LogitStreamingOptions {
  mib?: number;
  chunkBytes?: number;
  reps?: number;
}

export interface LogitStreamingMeasurement extends LogitStreamingResult {
  /** Median over the repetitions; MB = 10^6 bytes. */
  megabytesPerSecond: number;
}

/** Runs the measurement and returns everything measured. */
export async function measureLogitStreamingDetails(
  options: LogitStreamingOptions = {},
): Promise<LogitStreamingMeasurement> {
  let received = 0;
  const server = await startCoordinatorServer({
    port: 0,
    handlers: {
      onLogits: async (logits) => {
        received += logits.values.byteLength;
      },
      submitJob: unused,
      getJob: unused,
      watchJob: unused,
      cancelJob: unused,
      listJobs: unused,
      listWorkers: unused,
      getReport: unused,
      listArtifacts: unused,
      readArtifact: unused,
    },
  });
  try {
    const outcome = await runTsChild<LogitStreamingResult>(
      './logitStreamingWorker.ts',
      [
        '--address',
        server.address,
        '--mib',
        String(options.mib ?? 64),
        '--chunk-bytes',
        String(options.chunkBytes ?? CHUNK_BYTES),
        '--reps',
        String(options.reps ?? 5),
      ],
      { timeoutMs: 300_000 },
    );
    if (!outcome.ok || !outcome.result)
      throw new Error(`logit streaming worker failed: ${outcome.error ?? 'no result'}`);
    const r = outcome.result;
    if (received < r.bytes * r.seconds.length)
      throw new Error(`the coordinator received ${received} bytes, fewer than sent`);
    return { ...r, megabytesPerSecond: r.bytes / 1e6 / median(r.seconds) };
  } finally {
    await server.close();
  }
}

/** MB/s (10^6 bytes per second, median of the repetitions) from a worker process to the coordinator. */
export async function measureLogitStreaming(options: LogitStreamingOptions = {}): Promise<number> {
  return (await measureLogitStreamingDetails(options)).megabytesPerSecond;
}

async function unused(): Promise<never> {
  throw new Error('not used by this benchmark');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mib = Number(process.argv[2] ?? 64);
  const chunkBytes = Number(process.argv[3] ?? CHUNK_BYTES);
  const m = await measureLogitStreamingDetails({ mib, chunkBytes });
  const secs = m.seconds.map((s) => s.toFixed(3)).join(', ');
  console.log(
    `logit streaming, worker process → coordinator (loopback): ${mib} MiB in ${chunkBytes / 1024} KiB chunks: ` +
      `${m.megabytesPerSecond.toFixed(0)} MB/s (median; runs ${secs} s)`,
  );
}
