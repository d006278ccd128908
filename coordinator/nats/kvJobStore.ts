import { ChorusError } from '../../core/errors.ts';
import { casPut } from './casPut.ts';
import { listKeys } from '../../cluster/state/listKeys.ts';
import { readSeen } from '../../cluster/state/readEntry.ts';
import { KvJobStateView } from '../../cluster/state/jobStateView.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';

/** Job records in the NATS KV state bucket, one key `job.<jobId>` each: the coordinator's reads and writes. */
export class KvJobStore extends KvJobStateView {
  /** Writes a job record as is (last writer wins): for submitting. Use updateJob for transitions. */
  async putJob(record: JobRecord): Promise<void> {
    await this.kv.put(this.names.jobKey(record.id), JSON.stringify(record));
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
    const keys = await listKeys(this.kv, this.names.jobKeys);
    const jobs = await Promise.all(
      [...keys].map(async (key) => (await readSeen<JobRecord>(this.kv, key)).value),
    );
    return jobs.filter((j): j is JobRecord => j !== undefined).sort((a, b) => a.submittedAt - b.submittedAt);
  }
}
