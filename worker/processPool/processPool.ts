import { fileURLToPath } from 'node:url';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { ChorusError } from '../../core/errors.ts';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';
import { compiledProcessEntry, withoutTsxFlags } from '../compiledThreadEntry.ts';
import type { ThreadMessage, WarmUpResult } from '../poolMessages.ts';
import type { ChildPlacement } from '../poolPlacement.ts';
import type { PoolTaskRequest, TaskPool } from '../taskPool.ts';
import { PoolDataFiles } from './dataFiles.ts';
import { PoolChildProcess, PoolTaskAbortedError, type ChildCommand } from './poolChildProcess.ts';

const CHILD_ENTRY = fileURLToPath(new URL('./poolChildEntry.mjs', import.meta.url));

/**
 * A pool of child processes, one tfjs engine each (`--isolation process`): what the native backends
 * need, since their addon loads once per process (tfjs issues #2079, #3463, #8388), and what places a
 * slot on a GPU (its CUDA_VISIBLE_DEVICES). The children run the pool threads' task code; a job's data
 * reaches each child once, as a file (dataFiles.ts), not with every task. A child that dies fails only
 * its task (retryable) and is replaced; an aborted task's child is killed and replaced.
 */
export class ProcessPool implements TaskPool {
  readonly slots: number;
  private readonly placements: readonly ChildPlacement[];
  private readonly children: Promise<PoolChildProcess[]>;
  /** The latest child of each slot (a replacement once one died). */
  private readonly live: PoolChildProcess[] = [];
  private readonly idle: PoolChildProcess[] = [];
  private readonly waiting: ((child: PoolChildProcess) => void)[] = [];
  private readonly dataFiles = new PoolDataFiles();
  private command: ChildCommand | undefined;
  private closed = false;

  /** One child per placement (see poolPlacement.ts: its GPU and environment). */
  constructor(placements: readonly ChildPlacement[]) {
    if (placements.length === 0) throw new ChorusError('a process pool needs at least one slot');
    this.placements = placements;
    this.slots = placements.length;
    this.children = compiledProcessEntry().then((compiled) => {
      this.command = {
        entry: CHILD_ENTRY,
        args: compiled === undefined ? [] : [compiled],
        execArgv: withoutTsxFlags(process.execArgv),
      };
      const started = placements.map((placement, slot) => this.start(slot, placement));
      this.idle.push(...started);
      return started;
    });
    this.children.catch(() => undefined);
  }

  /** The children's process ids by slot (tests and `chorus workers` diagnostics). */
  async pids(): Promise<(number | undefined)[]> {
    await this.children;
    return this.live.map((child) => child.pid);
  }

  async run(
    request: PoolTaskRequest,
    onMessage: (message: ThreadMessage) => void,
    signal?: AbortSignal,
    yieldSignal?: AbortSignal,
  ): Promise<TaskOutcome> {
    const { data, ...rest } = request;
    let dataFile: string;
    try {
      dataFile = await this.dataFiles.fileFor(data);
    } catch (err) {
      return {
        ok: false,
        error: {
          name: 'Error',
          message: `writing the job's data for the pool: ${String(err)}`,
          retryable: true,
        },
      };
    }
    const child = await this.acquire(signal);
    if (child === undefined) {
      const aborted = new PoolTaskAbortedError();
      return { ok: false, error: { name: aborted.name, message: aborted.message, retryable: true } };
    }
    try {
      const outcome = await child.run(
        { ...rest, dataFile },
        (message) => onMessage(this.placed(message, child)),
        signal,
        yieldSignal,
      );
      return this.ranOn(outcome, child);
    } finally {
      this.release(child);
    }
  }

  async warmUp(
    backend: BackendChoice,
    options: { waitMs?: number; natsArtifacts?: boolean } = {},
  ): Promise<WarmUpResult[]> {
    await this.children;
    // Every slot at once, so that each child warms exactly once.
    const children = await Promise.all(this.placements.map(() => this.acquire()));
    try {
      const results = await Promise.all(
        children.map((child) => child!.warmUp(backend, options.natsArtifacts ?? false)),
      );
      const failed = results.find((r) => 'retryable' in r);
      if (failed && 'retryable' in failed) throw new ChorusError(`${failed.name}: ${failed.message}`);
      return results as WarmUpResult[];
    } finally {
      for (const child of children) if (child) this.release(child);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.children.catch(() => undefined);
    await Promise.all(this.live.map((child) => child.close()));
    await this.dataFiles.close();
  }

  private start(slot: number, placement: ChildPlacement): PoolChildProcess {
    const child = new PoolChildProcess(slot, placement, this.command!);
    this.live[slot] = child;
    return child;
  }

  /** A free child (a dead one replaced first); undefined when `signal` aborts the wait. */
  private async acquire(signal?: AbortSignal): Promise<PoolChildProcess | undefined> {
    await this.children;
    if (signal?.aborted) return undefined;
    const free = this.idle.shift();
    if (free) return this.fresh(free);
    return new Promise((resolve) => {
      const take = (child: PoolChildProcess) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.fresh(child));
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(take);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private release(child: PoolChildProcess): void {
    const next = this.waiting.shift();
    if (next) next(child);
    else this.idle.push(child);
  }

  /** The child, or its replacement when it has died (crash, kill, abort). */
  private fresh(child: PoolChildProcess): PoolChildProcess {
    if (child.alive || this.closed) return child;
    return this.start(child.slot, child.placement);
  }

  /** A task's result, with the GPU its child was placed on (the report's task timings name it). */
  private ranOn(outcome: TaskOutcome, child: PoolChildProcess): TaskOutcome {
    const gpu = child.placement.gpu;
    if (!outcome.ok || gpu === undefined) return outcome;
    return { ok: true, result: { ...outcome.result, gpu } };
  }

  /** A child's `backend` message, with the GPU it was placed on (metrics label by it). */
  private placed(message: ThreadMessage, child: PoolChildProcess): ThreadMessage {
    if (message.type !== 'backend' || child.placement.gpu === undefined) return message;
    return { ...message, gpuIndex: child.placement.gpu };
  }
}
