/**
 * Reassembly buffers for PutLogits, reused from one array to the next. A fresh 64 MiB Float32Array
 * costs its size in page faults and zeroing on first touch, and its release forces V8 to collect
 * (external memory): on 2 cores that held logit streaming to ~300 MB/s, the coordinator's core being
 * the bottleneck; with the buffers reused the same stream ran at 365-790 MB/s (bench/logitStreaming.ts).
 *
 * A buffer is lent to one array at a time: the server takes it when an array's first chunk arrives and
 * gives it back once `onLogits` has resolved for that array (never after a failure, when a store write
 * may still hold it). Reuse needs no zeroing: the assembler accepts an array only when its chunks
 * covered every float. Idle buffers are dropped after `idleMs`, so a quiet coordinator holds none.
 */

export interface Float32PoolOptions {
  /** Most floats kept idle in all pooled buffers together (default 32 Mi floats = 128 MiB). */
  maxFloats?: number;
  /** Smaller arrays are not pooled: the allocator reuses their memory anyway (default 64 Ki floats). */
  minFloats?: number;
  /** Idle buffers are all dropped this long after the last one was given back (default 10 s). */
  idleMs?: number;
}

export class Float32Pool {
  private readonly maxFloats: number;
  private readonly minFloats: number;
  private readonly idleMs: number;
  /** Oldest first: the first to go when the pool is over `maxFloats`. */
  private free: Float32Array[] = [];
  private freeFloats = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(options: Float32PoolOptions = {}) {
    this.maxFloats = options.maxFloats ?? 32 * 1024 * 1024;
    this.minFloats = options.minFloats ?? 64 * 1024;
    this.idleMs = options.idleMs ?? 10_000;
  }

  /** An array of exactly `length` floats: an idle one of that length, else a new (zeroed) one. */
  take(length: number): Float32Array {
    const i = this.free.findIndex((a) => a.length === length);
    if (i < 0) return new Float32Array(length);
    const [reused] = this.free.splice(i, 1) as [Float32Array];
    this.freeFloats -= length;
    return reused;
  }

  /** Takes back an array from `take` that nothing will read or write any more. */
  give(array: Float32Array): void {
    const wholeBuffer = array.byteOffset === 0 && array.byteLength === array.buffer.byteLength;
    if (!wholeBuffer || array.length < this.minFloats || array.length > this.maxFloats) return;
    if (this.free.includes(array)) return;
    while (this.freeFloats + array.length > this.maxFloats) {
      const oldest = this.free.shift();
      if (!oldest) break;
      this.freeFloats -= oldest.length;
    }
    this.free.push(array);
    this.freeFloats += array.length;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.clear(), this.idleMs);
    this.idleTimer.unref();
  }

  /** Floats held idle now (for tests and metrics). */
  get idleFloats(): number {
    return this.freeFloats;
  }

  /** Drops every idle buffer. */
  clear(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.free = [];
    this.freeFloats = 0;
  }
}
