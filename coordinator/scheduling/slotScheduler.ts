import {
  DEFAULT_PRIORITY,
  MAX_PRIORITY_RANK,
  priorityRank,
  type Priority,
} from '../../core/spec/priority.ts';
import { effectiveRank, heldByClient, nextJob, windowSize, type JobQueueState } from './dispatchPolicy.ts';
import { chooseVictim, type RunningTask } from './preemptionPolicy.ts';
import type { RunningDispatch } from './workerRoster.ts';

/** A job as the slot scheduler shares the cluster between jobs. */
export interface JobShare {
  jobId: string;
  priority: Priority;
  /** The client token that submitted it; undefined without authentication (no quota). */
  client?: string;
  /** The client's quota when it submitted: used should its token leave the tokens file. */
  maxSlots?: number;
  submittedAt: number;
}

/** The connected workers, as the scheduler needs them (WorkerRoster). */
export interface SlotSource {
  /** Slots of the workers that take tasks. */
  slots(): number;
  /** Dispatches running on workers now, by dispatch id. */
  running(): Map<string, RunningDispatch>;
}

export interface SlotSchedulerOptions {
  workers: SlotSource;
  /** A client's quota as the tokens file says now; undefined for none (or an unknown client). */
  quotaOf?: (client: string) => number | undefined;
  /** A job waiting unserved this long competes one class higher (0: no aging). */
  agingMs: number;
  /** Ask running lower-priority tasks to yield to waiting higher-priority ones. */
  preempt: boolean;
  /** Sends the request to yield to whichever worker runs the dispatch. */
  askToYield?: (task: { jobId: string; taskId: string; dispatchId: string }, reason: string) => void;
  log?: (line: string) => void;
  now?: () => number;
}

/** Busy slots of one priority class and client (metrics). */
export interface BusySlotCount {
  priority: Priority;
  /** The client token's name; undefined without authentication. */
  client: string | undefined;
  slots: number;
}

/** A place in the window, held by one task from its grant until its dispatch ends. */
export interface SlotLease {
  /** The dispatch now holding the place (published, or about to be). */
  dispatched(dispatchId: string): void;
  /** The dispatch ended (a result, a yield, an abort): the place goes to the next task. Idempotent. */
  release(): void;
}

interface Waiter {
  taskId: string;
  grant: (lease: SlotLease) => void;
}

interface JobSlots {
  share: JobShare;
  rank: number;
  waiters: Waiter[];
  held: number;
  starvedSince: number;
  lastGrantAt: number;
}

interface Held {
  job: JobSlots;
  taskId: string;
  /** The rank it was granted with: its class, or higher when aging got it the place. */
  rank: number;
  dispatchId?: string;
  released: boolean;
}

/** How long a task asked to yield is left to do so before another may be asked in its stead. */
const YIELD_PATIENCE_MS = 10 * 60_000;

/**
 * Shares the cluster's slots between the jobs of one coordinator. Each job's tasks wait here, on the
 * coordinator's side, until the scheduler grants them a place in a bounded window of the work queue
 * (the connected slots plus a small margin: dispatchPolicy.ts), in the order of dispatchPolicy's
 * `nextJob`: priority class with aging, then fair share, within each client's quota. With preemption
 * on, a running task of a lower class is asked to yield when a higher one waits and no slot is free
 * (preemptionPolicy.ts). Every decision is taken synchronously when something changes (a task
 * waits, a dispatch ends, a worker comes, goes or starts a task).
 */
export class SlotScheduler {
  private readonly o: SlotSchedulerOptions;
  private readonly now: () => number;
  private readonly jobs = new Map<string, JobSlots>();
  private readonly byDispatch = new Map<string, Held>();
  /** Granted places not yet released, dispatched or not. */
  private readonly places = new Set<Held>();
  /** Dispatches asked to yield, and when. */
  private readonly yielding = new Map<string, number>();
  private pumping = false;

  constructor(options: SlotSchedulerOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  /** Registers a job (again: its share is updated). */
  addJob(share: JobShare): void {
    const existing = this.jobs.get(share.jobId);
    if (existing) {
      existing.share = share;
      existing.rank = priorityRank(share.priority);
      return;
    }
    const now = this.now();
    this.jobs.set(share.jobId, {
      share,
      rank: priorityRank(share.priority),
      waiters: [],
      held: 0,
      starvedSince: now,
      lastGrantAt: 0,
    });
  }

  /** Forgets a job whose run has ended (its tasks released their places as they stopped). */
  removeJob(jobId: string): void {
    this.jobs.delete(jobId);
    this.pump();
  }

  /**
   * Resolves with a place once the scheduler grants one to this task; rejects with an AbortError
   * when `signal` aborts first. `front`: the task goes before its job's other waiting tasks (it was
   * running and gave its slot back).
   */
  acquire(
    jobId: string,
    taskId: string,
    signal: AbortSignal,
    options: { front?: boolean } = {},
  ): Promise<SlotLease> {
    const job = this.jobOf(jobId);
    return new Promise<SlotLease>((resolve, reject) => {
      const abort = () => {
        const i = job.waiters.indexOf(waiter);
        if (i >= 0) job.waiters.splice(i, 1);
        reject(Object.assign(new Error('the job was cancelled'), { name: 'AbortError' }));
      };
      const waiter: Waiter = {
        taskId,
        grant: (lease) => {
          signal.removeEventListener('abort', abort);
          resolve(lease);
        },
      };
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      // A job starts to wait now: the time it spent with nothing to run is no wait.
      if (job.waiters.length === 0) job.starvedSince = this.now();
      if (options.front) job.waiters.unshift(waiter);
      else job.waiters.push(waiter);
      this.pump();
    });
  }

  /**
   * A place for a dispatch already on the work queue (a restarted coordinator re-attaching to it):
   * counted at once, beyond the window if need be, since the message is there whatever we decide.
   */
  hold(jobId: string, taskId: string, dispatchId: string): SlotLease {
    const job = this.jobOf(jobId);
    const lease = this.place(job, taskId, job.rank);
    lease.dispatched(dispatchId);
    return lease;
  }

  /** Grants every place the window has, then considers preemption. Called on every change. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const limit = windowSize(this.o.workers.slots());
      while (this.places.size < limit) {
        const now = this.now();
        const next = nextJob(this.states(), (c) => this.quotaOf(c), now, this.o.agingMs);
        if (!next) break;
        const job = this.jobs.get(next.jobId);
        const waiter = job?.waiters.shift();
        if (!job || !waiter) break;
        job.lastGrantAt = now;
        job.starvedSince = now;
        waiter.grant(this.place(job, waiter.taskId, effectiveRank(next, now, this.o.agingMs)));
      }
      if (this.o.preempt) this.preemptIfNeeded();
    } finally {
      this.pumping = false;
    }
  }

  /** Places a job holds now (its dispatched, unfinished tasks); 0 for a job not running here. */
  heldBy(jobId: string): number {
    return this.jobs.get(jobId)?.held ?? 0;
  }

  /** Ready tasks waiting for a place, over every job. */
  waiting(): number {
    let n = 0;
    for (const j of this.jobs.values()) n += j.waiters.length;
    return n;
  }

  /** Slots busy running this coordinator's tasks, by the priority and client of their job. */
  busySlots(): BusySlotCount[] {
    const counts = new Map<string, BusySlotCount>();
    for (const dispatchId of this.o.workers.running().keys()) {
      const held = this.byDispatch.get(dispatchId);
      if (!held) continue;
      const { priority, client } = held.job.share;
      const key = `${priority}\n${client ?? ''}`;
      const entry = counts.get(key) ?? { priority, client, slots: 0 };
      entry.slots++;
      counts.set(key, entry);
    }
    return [...counts.values()];
  }

  private jobOf(jobId: string): JobSlots {
    let job = this.jobs.get(jobId);
    if (!job) {
      // A task of a job nobody registered: treated as a normal job of no client.
      this.addJob({ jobId, priority: DEFAULT_PRIORITY, submittedAt: this.now() });
      job = this.jobs.get(jobId);
      if (!job) throw new Error(`job ${jobId} could not be registered`);
    }
    return job;
  }

  private place(job: JobSlots, taskId: string, rank: number): SlotLease {
    const held: Held = { job, taskId, rank, released: false };
    job.held++;
    this.places.add(held);
    return {
      dispatched: (dispatchId) => {
        if (held.released) return;
        if (held.dispatchId !== undefined) this.byDispatch.delete(held.dispatchId);
        held.dispatchId = dispatchId;
        this.byDispatch.set(dispatchId, held);
      },
      release: () => {
        if (held.released) return;
        held.released = true;
        job.held--;
        this.places.delete(held);
        if (held.dispatchId !== undefined) {
          this.byDispatch.delete(held.dispatchId);
          this.yielding.delete(held.dispatchId);
        }
        this.pump();
      },
    };
  }

  private states(): JobQueueState[] {
    return [...this.jobs.values()].map((j) => ({
      jobId: j.share.jobId,
      rank: j.rank,
      waiting: j.waiters.length,
      held: j.held,
      ...(j.share.client !== undefined ? { client: j.share.client } : {}),
      starvedSince: j.starvedSince,
      lastGrantAt: j.lastGrantAt,
      submittedAt: j.share.submittedAt,
    }));
  }

  /** The client's quota: the tokens file's now, else what it was when one of its jobs was submitted. */
  private quotaOf(client: string): number | undefined {
    const live = this.o.quotaOf?.(client);
    if (live !== undefined) return live;
    for (const j of this.jobs.values()) {
      if (j.share.client === client && j.share.maxSlots !== undefined) return j.share.maxSlots;
    }
    return undefined;
  }

  private preemptIfNeeded(): void {
    const now = this.now();
    for (const [dispatchId, askedAt] of this.yielding) {
      if (now - askedAt > YIELD_PATIENCE_MS) {
        this.o.log?.(`dispatch ${dispatchId} did not yield within ${YIELD_PATIENCE_MS / 60_000} min`);
        this.yielding.delete(dispatchId);
      }
    }
    const running = this.o.workers.running();
    const tasks: RunningTask[] = [];
    for (const [dispatchId, r] of running) {
      const held = this.byDispatch.get(dispatchId);
      if (!held) continue;
      tasks.push({
        dispatchId,
        jobId: held.job.share.jobId,
        taskId: held.taskId,
        rank: held.rank,
        startedAt: r.startedAt,
        yielding: this.yielding.has(dispatchId),
      });
    }
    const waitingByRank: number[] = new Array<number>(MAX_PRIORITY_RANK + 1).fill(0);
    const byClient = heldByClient(this.states());
    for (const j of this.jobs.values()) {
      const client = j.share.client;
      const quota = client !== undefined ? this.quotaOf(client) : undefined;
      // A task held back by its own client's quota waits for that client, not for a slot.
      if (quota !== undefined && client !== undefined && (byClient.get(client) ?? 0) >= quota) continue;
      waitingByRank[j.rank] = (waitingByRank[j.rank] ?? 0) + j.waiters.length;
    }
    for (const held of this.places) {
      if (held.dispatchId === undefined || !running.has(held.dispatchId)) {
        waitingByRank[held.job.rank] = (waitingByRank[held.job.rank] ?? 0) + 1;
      }
    }
    for (;;) {
      const victim = chooseVictim({ slots: this.o.workers.slots(), running: tasks, waitingByRank });
      if (!victim) return;
      victim.yielding = true;
      this.yielding.set(victim.dispatchId, now);
      this.o.log?.(
        `preempting ${victim.taskId} of job ${victim.jobId} (dispatch ${victim.dispatchId}): a higher-priority task waits`,
      );
      this.o.askToYield?.(victim, 'a higher-priority task waits for a slot');
    }
  }
}
