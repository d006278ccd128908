import { fork, type ChildProcess } from 'node:child_process';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { ChorusError } from '../../core/errors.ts';
import type { TaskFailure } from '../../core/tasks/taskFailure.ts';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';
import type { ThreadMessage, WarmUpResult } from '../poolMessages.ts';
import type { ChildPlacement } from '../poolPlacement.ts';
import type { ChildTaskRequest, FromChildMessage, ToChildMessage } from './childMessages.ts';

/** A pool child process that ended (crash, out-of-memory kill, `kill -9`) while it ran a task. */
export class PoolChildExitedError extends ChorusError {}

/** The pool aborted a task (cancel, drain): its child was killed, as piscina ends an aborted thread. */
export class PoolTaskAbortedError extends ChorusError {
  constructor() {
    super('The task has been aborted');
    // As piscina names an aborted task's error: the executors treat both pools alike.
    this.name = 'AbortError';
  }
}

/** How to start a child: its entry file, the compiled bundle (if any), and Node flags. */
export interface ChildCommand {
  entry: string;
  args: string[];
  execArgv: string[];
}

type Pending =
  | { kind: 'task'; onMessage: (message: ThreadMessage) => void; settle: (outcome: TaskOutcome) => void }
  | { kind: 'warm-up'; settle: (result: WarmUpResult | TaskFailure) => void };

/**
 * One child process of a ProcessPool, running one task at a time. When it exits, whatever it was
 * running fails (as data: a retryable TaskOutcome) and `alive` turns false; the pool replaces it.
 */
export class PoolChildProcess {
  readonly slot: number;
  readonly placement: ChildPlacement;
  readonly pid: number | undefined;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitReason: string | undefined;
  private killed = false;
  readonly exited: Promise<void>;

  constructor(slot: number, placement: ChildPlacement, command: ChildCommand) {
    this.slot = slot;
    this.placement = placement;
    this.child = fork(command.entry, command.args, {
      execArgv: command.execArgv,
      env: { ...process.env, ...placement.env },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.pid = this.child.pid;
    this.child.on('message', (message: FromChildMessage) => this.onMessage(message));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitReason = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
        this.failPending();
        resolve();
      });
      // A child that cannot be started at all (e.g. no memory for a process).
      this.child.once('error', (err) => {
        this.exitReason ??= `could not run (${err.message})`;
        this.failPending();
        resolve();
      });
    });
  }

  /** False once it exited, or was killed (its exit may not have been seen yet). */
  get alive(): boolean {
    return this.exitReason === undefined && !this.killed;
  }

  /**
   * Runs one task; the outcome is a failure when the child dies or `signal` aborts it (the child is then
   * killed). `yieldSignal` asks the task to give its slot back (see ThreadPool.run).
   */
  run(
    request: ChildTaskRequest,
    onMessage: (message: ThreadMessage) => void,
    signal?: AbortSignal,
    yieldSignal?: AbortSignal,
  ): Promise<TaskOutcome> {
    return new Promise<TaskOutcome>((resolve) => {
      const id = this.nextId++;
      let onAbort: (() => void) | undefined;
      const askToYield = () => this.send({ type: 'yield', id });
      const settle = (outcome: TaskOutcome) => {
        if (!this.pending.delete(id)) return;
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        yieldSignal?.removeEventListener('abort', askToYield);
        resolve(outcome);
      };
      this.pending.set(id, { kind: 'task', onMessage, settle });
      if (signal) {
        onAbort = () => {
          settle({ ok: false, error: failure(new PoolTaskAbortedError()) });
          this.kill();
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.send({ type: 'task', id, request });
      if (yieldSignal?.aborted) askToYield();
      else yieldSignal?.addEventListener('abort', askToYield, { once: true });
    });
  }

  /** Starts `backend` in this child; resolves with what it started, or the failure. */
  warmUp(backend: BackendChoice, natsArtifacts: boolean): Promise<WarmUpResult | TaskFailure> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, {
        kind: 'warm-up',
        settle: (result) => {
          if (this.pending.delete(id)) resolve(result);
        },
      });
      this.send({ type: 'warm-up', id, backend, natsArtifacts });
    });
  }

  kill(): void {
    if (!this.alive) return;
    this.killed = true;
    this.child.kill('SIGKILL');
  }

  /** Closes the IPC channel (the child leaves on its own); kills it if it has not left within `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    if (this.alive && this.child.connected) this.child.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    if (this.exitReason === undefined) {
      this.kill();
      await this.exited;
    }
  }

  private send(message: ToChildMessage): void {
    if (!this.alive || !this.child.connected) return this.failPending();
    this.child.send(message, (err) => {
      if (err) this.failPending(`could not be sent its task (${err.message})`);
    });
  }

  private onMessage(message: FromChildMessage): void {
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    if (pending.kind === 'task') {
      if (message.type === 'message') pending.onMessage(message.message);
      else if (message.type === 'outcome') pending.settle(message.outcome);
    } else if (message.type === 'warmed') {
      pending.settle({
        ...message.result,
        ...(this.placement.gpu !== undefined ? { gpu: this.placement.gpu } : {}),
      });
    } else if (message.type === 'warm-up-failed') pending.settle(message.error);
  }

  private failPending(reason = this.exitReason ?? 'is gone'): void {
    const where = this.placement.gpu === undefined ? '' : ` on GPU ${this.placement.gpu}`;
    const error = failure(
      new PoolChildExitedError(`pool process ${this.pid ?? '?'} (slot ${this.slot}${where}) ${reason}`),
    );
    for (const pending of [...this.pending.values()]) {
      if (pending.kind === 'task') pending.settle({ ok: false, error });
      else pending.settle(error);
    }
  }
}

function failure(err: Error): TaskFailure {
  return { name: err.name, message: err.message, retryable: true };
}
