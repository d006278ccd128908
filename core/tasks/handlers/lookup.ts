import { NonRetryableError } from '../../errors.ts';
import type { ResolvedJob, ResolvedMember, StudentRun } from '../../spec/resolvedJob.ts';

export function findMember(job: ResolvedJob, name: string): ResolvedMember {
  const member = job.members.find((m) => m.name === name);
  if (!member) throw new NonRetryableError(`job ${job.name} has no member named "${name}"`);
  return member;
}

export function findStudentRun(job: ResolvedJob, name: string): StudentRun {
  const run = job.distillation?.runs.find((r) => r.name === name);
  if (!run) throw new NonRetryableError(`job ${job.name} has no student run named "${name}"`);
  return run;
}
