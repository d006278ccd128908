import type { CallOptions } from '@grpc/grpc-js';
import { endianness } from 'node:os';
import { ChorusError, NonRetryableError } from '../../core/errors.ts';
import type { DataPlaneClient } from '../../proto/generated/chorus/v1/DataPlane.ts';
import type { LogitChunk, LogitChunk__Output } from '../../proto/generated/chorus/v1/LogitChunk.ts';
import type { PutLogitsReply__Output } from '../../proto/generated/chorus/v1/PutLogitsReply.ts';
import type { LogitArray, PutLogitsResult } from '../api/apiTypes.ts';
import { runClientStream } from './clientStream.ts';
import type { Float32Pool } from './float32Pool.ts';
import { CHUNK_BYTES, MAX_LOGIT_FLOATS } from './messageLimits.ts';

/**
 * Float32 arrays over the data plane. The worker side cuts each array into chunks of at most
 * CHUNK_BYTES that carry their offset and the whole array's shape; the coordinator side reassembles
 * them and refuses, with a message naming the array, any stream that is not exactly the array it
 * declared. Bytes are float32 little-endian, the native order of every platform Node supports here.
 */

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new ChorusError('float32 streaming assumes a little-endian host');
}

function checkArray(a: LogitArray): void {
  if (!Number.isInteger(a.rows) || !Number.isInteger(a.cols) || a.rows < 0 || a.cols < 0) {
    throw new NonRetryableError(
      `logits ${a.key}: shape [${a.rows}, ${a.cols}] is not two non-negative integers`,
    );
  }
  if (a.values.length !== a.rows * a.cols) {
    throw new NonRetryableError(
      `logits ${a.key}: ${a.values.length} values do not fill the shape [${a.rows}, ${a.cols}]`,
    );
  }
}

/** The chunks of one array, lazily, as views of its memory (no copy until serialisation). */
export function* logitChunks(a: LogitArray, chunkBytes: number = CHUNK_BYTES): Generator<LogitChunk> {
  assertLittleEndian();
  checkArray(a);
  const perChunk = Math.max(1, Math.floor(chunkBytes / 4));
  const total = a.values.length;
  const { jobId, taskId, dispatchId, key, split, rows, cols } = a;
  let offset = 0;
  do {
    const n = Math.min(perChunk, total - offset);
    const view = a.values.subarray(offset, offset + n);
    yield {
      jobId,
      taskId,
      dispatchId,
      key,
      split,
      rows,
      cols,
      offset,
      data: Buffer.from(view.buffer, view.byteOffset, view.byteLength),
      last: offset + n === total,
    };
    offset += n;
  } while (offset < total);
}

export interface StreamLogitsOptions {
  chunkBytes?: number;
  callOptions?: CallOptions;
}

/** Streams one or more arrays in one PutLogits call; resolves with what the coordinator accepted. */
export async function streamLogits(
  client: DataPlaneClient,
  arrays: LogitArray | readonly LogitArray[],
  options: StreamLogitsOptions = {},
): Promise<PutLogitsResult> {
  const list = Array.isArray(arrays) ? (arrays as readonly LogitArray[]) : [arrays as LogitArray];
  // Check every array before the first byte goes out, so a bad one does not leave a half-sent stream.
  for (const a of list) checkArray(a);
  function* all(): Generator<LogitChunk> {
    for (const a of list) yield* logitChunks(a, options.chunkBytes);
  }
  const reply = await runClientStream<LogitChunk, PutLogitsReply__Output>(
    (callback) => client.PutLogits(options.callOptions ?? {}, callback),
    all(),
  );
  return { keys: reply.keys, floats: reply.floats };
}

interface Pending {
  array: LogitArray;
  /** Floats received so far: the offset the next chunk must start at. */
  received: number;
}

export interface LogitAssemblerOptions {
  /** Most floats the stream may have in declared, incomplete arrays at once. */
  maxFloats?: number;
  /** Where arrays come from (default: new ones); the caller gives them back when done with them. */
  pool?: Float32Pool;
}

function bad(problem: string): NonRetryableError {
  return new NonRetryableError(`bad logit stream: ${problem}`);
}

/**
 * Reassembles the chunks of one PutLogits stream into whole arrays, identified by (job, dispatch, key).
 * `add` returns an array when its last chunk arrives; `finish` checks that nothing was left incomplete.
 * Every violation throws a NonRetryableError (INVALID_ARGUMENT on the wire) naming the array.
 */
export class LogitAssembler {
  private readonly maxFloats: number;
  private readonly pool: Float32Pool | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly done = new Set<string>();
  private pendingFloats = 0;
  readonly completedKeys: string[] = [];
  floats = 0;

  constructor(options: LogitAssemblerOptions = {}) {
    assertLittleEndian();
    this.maxFloats = options.maxFloats ?? MAX_LOGIT_FLOATS;
    this.pool = options.pool;
  }

  add(chunk: LogitChunk__Output): LogitArray | undefined {
    const { jobId, taskId, dispatchId, key, split, rows, cols, offset, data, last } = chunk;
    if (!jobId || !taskId || !dispatchId || !key) {
      throw bad('every chunk needs job_id, task_id, dispatch_id and key');
    }
    const name = `${key} (job ${jobId}, dispatch ${dispatchId})`;
    const id = JSON.stringify([jobId, dispatchId, key]);
    if (this.done.has(id)) throw bad(`${name} was already received whole in this stream`);
    if (data.length % 4 !== 0) {
      throw bad(
        `chunk of ${name} at float ${offset} has ${data.length} bytes, not a multiple of 4 (float32)`,
      );
    }
    let entry = this.pending.get(id);
    if (!entry) {
      entry = this.start(name, chunk);
      this.pending.set(id, entry);
    }
    const { array } = entry;
    if (rows !== array.rows || cols !== array.cols || split !== array.split || taskId !== array.taskId) {
      throw bad(
        `chunk of ${name} at float ${offset} declares shape [${rows}, ${cols}], split ${split}, task ${taskId}; ` +
          `its first chunk declared [${array.rows}, ${array.cols}], split ${array.split}, task ${array.taskId}`,
      );
    }
    if (offset !== entry.received) {
      throw bad(
        `chunk of ${name} starts at float ${offset}, expected ${entry.received} (chunks must be contiguous)`,
      );
    }
    const n = data.length / 4;
    const total = array.values.length;
    if (offset + n > total) {
      throw bad(
        `chunk of ${name} ends at float ${offset + n}, past the declared ${rows} x ${cols} = ${total}`,
      );
    }
    new Uint8Array(array.values.buffer, array.values.byteOffset + offset * 4, data.length).set(data);
    entry.received += n;
    if (!last) return undefined;
    if (entry.received !== total) {
      throw bad(`last chunk of ${name} ends at float ${entry.received}, but the array holds ${total}`);
    }
    this.pending.delete(id);
    this.pendingFloats -= total;
    this.done.add(id);
    this.completedKeys.push(key);
    this.floats += total;
    return array;
  }

  private start(name: string, chunk: LogitChunk__Output): Pending {
    const { jobId, taskId, dispatchId, key, split, rows, cols, offset } = chunk;
    if (offset !== 0) throw bad(`first chunk of ${name} starts at float ${offset}, expected 0`);
    const total = rows * cols;
    if (this.pendingFloats + total > this.maxFloats) {
      throw bad(
        `${name} declares shape [${rows}, ${cols}] = ${total} floats; with the arrays in progress that is over ` +
          `the coordinator's limit of ${this.maxFloats} floats`,
      );
    }
    this.pendingFloats += total;
    // A pooled array holds an earlier array's floats until overwritten: `add` only completes an array
    // whose chunks covered every float.
    const values = this.pool ? this.pool.take(total) : new Float32Array(total);
    return {
      array: { jobId, taskId, dispatchId, key, split, rows, cols, values },
      received: 0,
    };
  }

  /** Call when the stream ends: an array without its last chunk is an error. */
  finish(): void {
    for (const { array, received } of this.pending.values()) {
      throw bad(
        `the stream ended before the last chunk of ${array.key} (job ${array.jobId}, dispatch ${array.dispatchId}): ` +
          `${received} of ${array.values.length} floats received`,
      );
    }
  }
}
