import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { toFailure } from '../core/tasks/taskFailure.ts';
import type { TaskOutcome } from '../core/tasks/taskOutcome.ts';
import type {
  EndOfTaskMessage,
  PoolRequest,
  ThreadMessage,
  WarmUpRequest,
  WarmUpResult,
  YieldRequestMessage,
} from './poolMessages.ts';
import type { BackendChoice } from '../core/backend/backendChoice.ts';
import { WORKER_DEFAULTS } from './workerDefaults.ts';
import { compiledThreadEntry, withoutTsxFlags } from './compiledThreadEntry.ts';
import type { TaskPool } from './taskPool.ts';

/**
 * How long to wait, after a task settles, for the messages its thread posted before it: they travel
 * on their own port and can arrive after the result. A thread that died never sends its end marker,
 * but its port closes; this bounds the wait should neither happen.
 */
const MESSAGE_DRAIN_TIMEOUT_MS = 2000;

/**
 * A piscina pool of worker threads, one tfjs engine each, kept alive between tasks. A thread that
 * crashes fails only its own task (piscina replaces the thread); an aborted task's thread is
 * terminated. Failures come back as TaskOutcome data, never as exceptions.
 */
export class ThreadPool implements TaskPool {
  readonly threads: number;
  /** Started once the thread entry is known (compiled, or TypeScript through tsx): see compiledThreadEntry.ts. */
  private readonly pool: Promise<Piscina>;

  constructor(threads = WORKER_DEFAULTS.slots()) {
    this.threads = threads;
    this.pool = compiledThreadEntry().then(
      (compiled) =>
        new Piscina({
          filename: new URL('./poolThreadEntry.mjs', import.meta.url).href,
          minThreads: threads,
          maxThreads: threads,
          idleTimeout: Number.POSITIVE_INFINITY,
          concurrentTasksPerWorker: 1,
          ...(compiled === undefined
            ? {}
            : { workerData: { compiledEntry: compiled }, execArgv: withoutTsxFlags(process.execArgv) }),
        }),
    );
    // Failures surface in run / warmUp / close; this only keeps one from being unhandled meanwhile.
    this.pool.catch(() => undefined);
  }

  get slots(): number {
    return this.threads;
  }

  /**
   * `signal` aborts the task (its thread is terminated); `yieldSignal` asks it to give its slot back,
   * which a training task does at the end of its epoch, checkpointed (TaskYieldedError).
   */
  async run(
    request: Omit<PoolRequest, 'port'>,
    onMessage: (message: ThreadMessage) => void,
    signal?: AbortSignal,
    yieldSignal?: AbortSignal,
  ): Promise<TaskOutcome> {
    const { port1, port2 } = new MessageChannel();
    const askToYield = () => port1.postMessage({ type: 'yield' } satisfies YieldRequestMessage);
    if (yieldSignal?.aborted) askToYield();
    else yieldSignal?.addEventListener('abort', askToYield, { once: true });
    let drained!: () => void;
    const allDelivered = new Promise<void>((resolve) => (drained = resolve));
    port1.on('message', (message: ThreadMessage | EndOfTaskMessage) => {
      if (message.type === 'end') drained();
      else onMessage(message);
    });
    port1.once('close', () => drained());
    try {
      const full: PoolRequest = { ...request, port: port2 };
      return (await (
        await this.pool
      ).run(full, {
        transferList: [port2],
        ...(signal ? { signal } : {}),
      })) as TaskOutcome;
    } catch (err) {
      // The thread died (crash, out of memory) or the task was aborted.
      return { ok: false, error: toFailure(err) };
    } finally {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        allDelivered,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, MESSAGE_DRAIN_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      yieldSignal?.removeEventListener('abort', askToYield);
      port1.close();
    }
  }

  /**
   * Loads every thread and starts `backend` in it before any task (see WarmUpRequest), so a task
   * picked up right after start-up trains at full speed. Resolves with each thread's backend;
   * rejects if a thread cannot start it (the caller may go on: each task selects its backend again).
   */
  async warmUp(
    backend: BackendChoice,
    options: { waitMs?: number; natsArtifacts?: boolean } = {},
  ): Promise<WarmUpResult[]> {
    const arrived = new SharedArrayBuffer(4);
    const request: WarmUpRequest = {
      kind: 'warm-up',
      backend,
      arrived,
      threads: this.threads,
      waitMs: options.waitMs ?? 120_000,
      natsArtifacts: options.natsArtifacts ?? false,
    };
    const pool = await this.pool;
    return (await Promise.all(
      Array.from({ length: this.threads }, () => pool.run(request)),
    )) as WarmUpResult[];
  }

  async close(): Promise<void> {
    await (await this.pool).destroy();
  }
}
