import { NonRetryableError } from '../../core/errors.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';

/** What one coordinator accepts; a job over any limit is refused at submission with the limit named. */
export interface JobLimits {
  maxMembers: number;
  maxShards: number;
  maxStudents: number;
  /** Total bytes of the files uploaded with a job: its data and model files. */
  maxDataBytes: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = {
  maxMembers: 100,
  maxShards: 64,
  maxStudents: 50,
  maxDataBytes: 1024 * 1024 * 1024,
};

export function checkJobLimits(job: ResolvedJob, dataBytes: number, limits: JobLimits): void {
  const problems: string[] = [];
  if (job.members.length > limits.maxMembers) {
    problems.push(
      `members: ${job.members.length} after expanding replicas, over the limit of ${limits.maxMembers}`,
    );
  }
  const shards = job.distillation?.shards ?? 0;
  if (shards > limits.maxShards)
    problems.push(`distillation.shards: ${shards}, over the limit of ${limits.maxShards}`);
  const students = job.distillation?.runs.length ?? 0;
  if (students > limits.maxStudents) {
    problems.push(
      `distillation: ${students} students (temperature × alpha + baseline), over the limit of ${limits.maxStudents}`,
    );
  }
  if (dataBytes > limits.maxDataBytes) {
    problems.push(
      `uploaded data and model files: ${dataBytes} bytes, over the limit of ${limits.maxDataBytes}`,
    );
  }
  if (problems.length > 0)
    throw new NonRetryableError(`job ${job.name} is over this coordinator's limits: ${problems.join('; ')}`);
}
