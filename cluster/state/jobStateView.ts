import type { KV } from '@nats-io/kv';
import type { NatsNames } from '../nats/natsNames.ts';
import type { JobRecord } from './jobRecord.ts';
import type { KvTaskRecord } from './kvTaskRecord.ts';
import { readSeen } from './readEntry.ts';

/**
 * Job and task state as a worker sees it: reads only. The coordinator is the one writer of these
 * records (coordinator/nats/kvJobStore.ts, kvStateStore.ts); a worker checks whether a job still runs
 * and whether its dispatch of a task is still the current one, and nothing more.
 */
export interface JobStateView {
  getJob(jobId: string): Promise<JobRecord | undefined>;
  /** A fresh read of one task's record. */
  getTask(jobId: string, taskId: string): Promise<KvTaskRecord | undefined>;
}

/** The read-only view over the NATS KV state bucket. */
export class KvJobStateView implements JobStateView {
  constructor(
    protected readonly kv: KV,
    protected readonly names: NatsNames,
  ) {}

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    return (await readSeen<JobRecord>(this.kv, this.names.jobKey(jobId))).value;
  }

  async getTask(jobId: string, taskId: string): Promise<KvTaskRecord | undefined> {
    return (await readSeen<KvTaskRecord>(this.kv, this.names.taskKey(jobId, taskId))).value;
  }
}
