import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';

/**
 * The teacher members' names and voting weights, in member order. When every teacher member weighs 0
 * (members kept out of the vote but named as teachers), they count equally: a teacher must have weight.
 */
export function teacherWeights(job: ResolvedJob): { members: string[]; weights: number[] } {
  const chosen = new Set(job.teacher.members);
  const members: string[] = [];
  const weights: number[] = [];
  job.members.forEach((m, i) => {
    if (!chosen.has(m.name)) return;
    members.push(m.name);
    weights.push(job.ensemble.weights[i] ?? m.weight);
  });
  if (!weights.some((w) => w > 0)) weights.fill(1);
  return { members, weights };
}
