/**
 * Logit-streaming throughput (bench/logitStreaming.ts: a worker process streams float32 logits to the
 * coordinator over gRPC), against the same bytes over a plain TCP socket between two processes.
 */
import { createServer, type AddressInfo } from 'node:net';
import { CHUNK_BYTES } from '../cluster/grpc/messageLimits.ts';
import { median } from './aggregation.ts';
import { figure, type Benchmark } from './benchResults.ts';
import type { LoopbackSocketResult } from './loopbackSocketChild.ts';
import { runTsChild } from './runChild.ts';

export const logitStreamingSection: Benchmark = async ({ quick }) => {
  const mib = quick ? 16 : 64;
  const reps = 9;
  const title = `Logit streaming, worker process → coordinator on loopback (${mib} MiB of float32, ${CHUNK_BYTES / 2 ** 20} MiB chunks, after one warm-up stream)`;
  let grpc: { megabytesPerSecond: number; seconds: number[] };
  try {
    // Written by another part of the project; absent or broken, the section says so.
    const { measureLogitStreamingDetails } = await import('./logitStreaming.ts');
    console.log('  logit streaming: gRPC');
    grpc = await measureLogitStreamingDetails({ mib, chunkBytes: CHUNK_BYTES, reps });
  } catch (err) {
    return { title, figures: [], details: {}, skipped: `gRPC logit streaming unavailable: ${String(err)}` };
  }
  console.log('  logit streaming: plain TCP socket baseline');
  const socket = await loopbackSocket(mib, reps);
  const tcp = socket.ok && socket.result ? socket.result.bytes / 1e6 / median(socket.result.seconds) : null;
  return {
    title,
    figures: [
      figure({
        id: 'stream.logits',
        group: title,
        label: 'gRPC logit stream (putLogits), MB/s (10^6 bytes)',
        value: grpc.megabytesPerSecond,
        unit: 'MB/s',
        baseline: { label: 'the same bytes over a plain TCP socket, process to process', value: tcp },
        higherIsBetter: true,
        ...(tcp === null ? { note: `socket baseline failed: ${socket.error ?? 'no result'}` } : {}),
      }),
    ],
    details: { grpc, socket: socket.result ?? null },
  };
};

/** Receives in this process what a child sends over TCP; acks each complete payload with one byte. */
async function loopbackSocket(mib: number, reps: number) {
  const bytes = mib * 1024 * 1024;
  const server = createServer((conn) => {
    let got = 0;
    conn.on('data', (d: Buffer) => {
      got += d.length;
      while (got >= bytes) {
        got -= bytes;
        conn.write(Buffer.from([1]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await runTsChild<LoopbackSocketResult>(
      './loopbackSocketChild.ts',
      [
        '--port',
        String(port),
        '--mib',
        String(mib),
        '--chunk-bytes',
        String(CHUNK_BYTES),
        '--reps',
        String(reps),
      ],
      { timeoutMs: 120_000 },
    );
  } finally {
    server.close();
  }
}
