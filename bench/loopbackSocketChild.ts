/**
 * The logit-streaming baseline's sending side: writes `--mib` MiB in `--chunk-bytes` writes over a plain
 * TCP socket to `--port` on loopback, `--reps` times, timing each until the receiver's one-byte ack.
 */
import { connect, type Socket } from 'node:net';
import { emitResult, numberArg, parseArgs } from './emitResult.ts';

export interface LoopbackSocketResult {
  bytes: number;
  chunkBytes: number;
  seconds: number[];
}

const args = parseArgs(process.argv.slice(2));
const port = numberArg(args, 'port', 0);
const bytes = numberArg(args, 'mib', 64) * 1024 * 1024;
const chunkBytes = numberArg(args, 'chunk-bytes', 1024 * 1024);
const reps = numberArg(args, 'reps', 3);

const payload = Buffer.alloc(bytes);
for (let i = 0; i < bytes; i++) payload[i] = i & 0xff;

const socket: Socket = await new Promise((resolve, reject) => {
  const s = connect(port, '127.0.0.1', () => resolve(s));
  s.once('error', reject);
});
const acks: (() => void)[] = [];
socket.on('data', (d: Buffer) => {
  for (let i = 0; i < d.length; i++) acks.shift()?.();
});

async function send(): Promise<number> {
  const acked = new Promise<void>((resolve) => acks.push(resolve));
  const t0 = performance.now();
  for (let off = 0; off < bytes; off += chunkBytes) {
    if (!socket.write(payload.subarray(off, Math.min(bytes, off + chunkBytes)))) {
      await new Promise((r) => socket.once('drain', r));
    }
  }
  await acked;
  return (performance.now() - t0) / 1000;
}

const seconds: number[] = [];
await send(); // warm-up, as the gRPC measurement has
for (let rep = 0; rep < reps; rep++) seconds.push(await send());
socket.end();
emitResult({ bytes, chunkBytes, seconds } satisfies LoopbackSocketResult);
