import type { ResolvedJob, ResolvedMember } from './resolvedJob.ts';

/**
 * The teacher members in job order, with their voting weights. When every teacher member weighs 0
 * (members kept out of the vote but named as teachers), they count equally: a teacher must have weight.
 * Soft labels, the report and the exported ensemble all use this one definition.
 */
export function teacherOf(job: ResolvedJob): { members: ResolvedMember[]; weights: number[] } {
  const chosen = new Set(job.teacher.members);
  const members: ResolvedMember[] = [];
  const weights: number[] = [];
  job.members.forEach((m, i) => {
    if (!chosen.has(m.name)) return;
    members.push(m);
    weights.push(job.ensemble.weights[i] ?? m.weight);
  });
  if (!weights.some((w) => w > 0)) weights.fill(1);
  return { members, weights };
}
