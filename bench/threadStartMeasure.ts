/** The body of threadStartChild.mjs: see there. */
import { compiledThreadEntry, COMPILED_THREADS_ENV } from '../worker/compiledThreadEntry.ts';
import { ThreadPool } from '../worker/threadPool.ts';
import { emitResult, numberArg, parseArgs } from './emitResult.ts';

export interface ThreadStartResult {
  compiled: boolean;
  /** Pool constructed → its thread warmed (modules loaded, wasm backend started, a first matMul), ms. */
  threadReadyMs: number;
  /** CPU time of the process over that span (the thread's work, mostly), ms. */
  threadReadyCpuMs: number;
  /** Process start (node's own clock) → the thread warmed: what a worker process pays before its first task. */
  processReadyMs: number;
}

export async function threadStartMeasurement(argv: readonly string[]): Promise<void> {
  const compiled = numberArg(parseArgs(argv), 'compiled', 1) === 1;
  if (!compiled) process.env[COMPILED_THREADS_ENV] = '0';
  // Checked (and built if stale) before the clock starts: a build happens once per source change.
  if (compiled && (await compiledThreadEntry()) === undefined) {
    throw new Error('the compiled thread entry could not be built');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const pool = new ThreadPool(1);
  const warmed = await pool.warmUp('wasm');
  const threadReadyMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const processReadyMs = performance.now();
  await pool.close();
  if (warmed[0]?.backend !== 'wasm') throw new Error(`the thread started ${warmed[0]?.backend}, not wasm`);
  const result: ThreadStartResult = {
    compiled,
    threadReadyMs,
    threadReadyCpuMs: (cpu.user + cpu.system) / 1000,
    processReadyMs,
  };
  emitResult(result);
}
