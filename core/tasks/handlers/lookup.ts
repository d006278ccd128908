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

/** The teacher members in job order, with their voting weights. */
export function teacherMembers(job: ResolvedJob): { members: ResolvedMember[]; weights: number[] } {
  const chosen = new Set(job.teacher.members);
  const members: ResolvedMember[] = [];
  const weights: number[] = [];
  job.members.forEach((m, i) => {
    if (!chosen.has(m.name)) return;
    members.push(m);
    weights.push(job.ensemble.weights[i] ?? 1);
  });
  return { members, weights };
}
