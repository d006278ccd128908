import type { KV } from '@nats-io/kv';
import type { StateStore } from '../stateStore.ts';
import type { KvTaskRecord } from '../../cluster/state/kvTaskRecord.ts';
import type { TaskRecord, TaskStatus } from '../../core/tasks/taskRecord.ts';
import { casPut } from './casPut.ts';
import { listKeys } from '../../cluster/state/listKeys.ts';
import { readSeen } from '../../cluster/state/readEntry.ts';
import type { CasPolicy } from './casPut.ts';
import type { Seen } from '../../cluster/state/readEntry.ts';
import type { NatsNames } from '../../cluster/nats/natsNames.ts';

export interface PutTaskResult {
  written: boolean;
  /** The record now stored: the one written, or the newer one that refused it. */
  current: KvTaskRecord;
}

/** Within one attempt a task only moves forward: pending → running → failed | done. */
const STATUS_ORDER: Record<TaskStatus, number> = { pending: 0, running: 1, failed: 2, done: 3 };

/**
 * "Newer", for a write that raced another writer: more attempts, or the same attempts and a later
 * status. Only applied on a conflict: a writer that saw the stored revision may go "back" (the
 * scheduler saves `pending` after a retryable failure or an abort, and restarts failed tasks at
 * attempt 1 on resume). `done` is final whatever the writer saw: a finished task is never redone.
 */
export function isNewerTask(stored: TaskRecord, incoming: TaskRecord): boolean {
  if (stored.attempts !== incoming.attempts) return stored.attempts > incoming.attempts;
  return STATUS_ORDER[stored.status] > STATUS_ORDER[incoming.status];
}

const taskPolicy: CasPolicy<KvTaskRecord> = {
  refuse: (stored, incoming, conflict) =>
    (stored.status === 'done' && incoming.status !== 'done') || (conflict && isNewerTask(stored, incoming)),
  // The scheduler's records carry no dispatchId, deliveries or priorAttempts: keep the executor's
  // (deliveries and priorAttempts only while it is the same dispatch).
  merge: (stored, incoming) => {
    const dispatchId = incoming.dispatchId ?? stored?.dispatchId;
    const sameDispatch = stored !== undefined && stored.dispatchId === dispatchId;
    const deliveries = incoming.deliveries ?? (sameDispatch ? stored.deliveries : undefined);
    const priorAttempts = incoming.priorAttempts ?? (sameDispatch ? stored.priorAttempts : undefined);
    return {
      ...incoming,
      ...(dispatchId !== undefined ? { dispatchId } : {}),
      ...(deliveries !== undefined ? { deliveries } : {}),
      ...(priorAttempts !== undefined ? { priorAttempts } : {}),
    };
  },
};

/**
 * Task state of one job in the NATS KV state bucket, keys `task.<jobId>.<encoded taskId>`.
 * Writes are compare-and-set against the revision this store last saw, so a stale writer (a
 * coordinator that lost track, a late executor callback) cannot overwrite newer state: on a
 * conflict it re-reads and writes again only if the stored record is not newer (see isNewerTask).
 * Writes from one store instance are applied in call order.
 */
export class KvStateStore implements StateStore {
  private readonly kv: KV;
  private readonly names: NatsNames;
  readonly jobId: string;
  private readonly seen = new Map<string, Seen<KvTaskRecord>>();
  private queue: Promise<unknown> = Promise.resolve();
  /** True once loadTasks has listed the job's keys: a key it did not list did not exist then. */
  private listed = false;
  private readonly isNew: boolean;

  /** `isNew`: the job was just created, so it has no records: loadTasks lists nothing. */
  constructor(kv: KV, names: NatsNames, jobId: string, options: { isNew?: boolean } = {}) {
    names.taskKeys(jobId); // validates the job id now rather than at the first write
    this.kv = kv;
    this.names = names;
    this.jobId = jobId;
    this.isNew = options.isNew ?? false;
  }

  async loadTasks(): Promise<KvTaskRecord[]> {
    // Listing keys starts a consumer on the bucket, which was seen to take seconds under a burst of
    // writes (1,000 queued tasks); a new job's answer is known.
    if (this.isNew) {
      this.listed = true;
      return [];
    }
    const keys = await listKeys(this.kv, this.names.taskKeys(this.jobId));
    const records: KvTaskRecord[] = [];
    const entries = await Promise.all(
      keys.map(async (key) => [key, await readSeen<KvTaskRecord>(this.kv, key)] as const),
    );
    for (const [key, seen] of entries) {
      this.see(key, seen);
      if (seen.value) records.push({ ...seen.value });
    }
    this.listed = true;
    return records;
  }

  /** A fresh read of one task's record (e.g. a worker checking its dispatchId is still current). */
  async getTask(taskId: string): Promise<KvTaskRecord | undefined> {
    const key = this.names.taskKey(this.jobId, taskId);
    const seen = await readSeen<KvTaskRecord>(this.kv, key);
    this.see(key, seen);
    return seen.value && { ...seen.value };
  }

  /**
   * This store's last view of a task's record, read from KV only when it has none. The coordinator is
   * the only writer of its jobs' task records, so its view is current; a stale one is still safe, as
   * every write is compare-and-set. Saves a KV round trip per step of a dispatch (the 1,000-task load).
   */
  async knownTask(taskId: string): Promise<KvTaskRecord | undefined> {
    const seen = this.seen.get(this.names.taskKey(this.jobId, taskId));
    if (seen?.value) return { ...seen.value };
    return this.getTask(taskId);
  }

  /** A read becomes this store's view of the key, unless a write of ours has already moved past it. */
  private see(key: string, seen: Seen<KvTaskRecord>): void {
    if (seen.revision >= (this.seen.get(key)?.revision ?? 0)) this.seen.set(key, seen);
  }

  /** Saves a record unless the stored one is newer; a refused write is not an error (see putTaskIfNewer). */
  async putTask(record: TaskRecord): Promise<void> {
    await this.putTaskIfNewer(record);
  }

  /** Compare-and-set write; says whether it was written and what is stored now. */
  putTaskIfNewer(record: KvTaskRecord): Promise<PutTaskResult> {
    const key = this.names.taskKey(this.jobId, record.id);
    const run = async (): Promise<PutTaskResult> => {
      // After loadTasks, a key this store has no view of was absent: write it as new (revision 0)
      // instead of reading it first; if another writer created it since, the write conflicts and
      // casPut reads it then. Saves a KV round trip per task of a new job.
      const known = this.seen.get(key) ?? (this.listed ? { revision: 0, value: undefined } : undefined);
      const result = await casPut(this.kv, key, { ...record }, known, taskPolicy);
      // A refused writer forgets its view: its next write reads the key first, which counts as a
      // conflict, so it is checked against the stored record again (and knownTask reads afresh).
      if (result.written) this.seen.set(key, result.seen);
      else this.seen.delete(key);
      return { written: result.written, current: { ...result.seen.value } };
    };
    // In call order, so that each write is based on the revision the previous one produced.
    const p = this.queue.then(run);
    this.queue = p.catch(() => {});
    return p;
  }
}
