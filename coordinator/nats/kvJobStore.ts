import type { KV } from '@nats-io/kv';
import { ChorusError } from '../../core/errors.ts';
import { casPut, readSeen } from '../../cluster/state/casPut.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';
import type { NatsNames } from '../../cluster/nats/natsNames.ts';

/** Job records in the NATS KV state bucket, one key `job.<jobId>` each. */
export class KvJobStore {
  private readonly kv: KV;
  private readonly names: NatsNames;

  constructor(kv: KV, names: NatsNames) {
    this.kv = kv;
    this.names = names;
  }

  /** Writes a job record as is (last writer wins): for submitting. Use updateJob for transitions. */
  async putJob(record: JobRecord): Promise<void> {
    await this.kv.put(this.names.jobKey(record.id), JSON.stringify(record));
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    return (await readSeen<JobRecord>(this.kv, this.names.jobKey(jobId))).value;
  }

  /**
   * Read-modify-write with compare-and-set: `change` sees the current record and returns the new
   * one; it runs again on the fresh record if another writer got in between.
   */
  async updateJob(jobId: string, change: (current: JobRecord) => JobRecord): Promise<JobRecord> {
    const key = this.names.jobKey(jobId);
    for (;;) {
      const seen = await readSeen<JobRecord>(this.kv, key);
      if (seen.value === undefined) throw new ChorusError(`no job ${jobId}`);
      const next = change(seen.value);
      const result = await casPut(this.kv, key, next, seen, {
        // Refuse on conflict so that `change` is applied to the fresh record, not the stale one.
        refuse: (_stored, _incoming, conflict) => conflict,
        merge: (_stored, incoming) => incoming,
      });
      if (result.written) return result.seen.value;
    }
  }

  /** Every job, oldest submission first. */
  async listJobs(): Promise<JobRecord[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(this.names.jobKeys)) keys.push(key);
    const jobs = await Promise.all(keys.map(async (key) => (await readSeen<JobRecord>(this.kv, key)).value));
    return jobs.filter((j): j is JobRecord => j !== undefined).sort((a, b) => a.submittedAt - b.submittedAt);
  }
}
