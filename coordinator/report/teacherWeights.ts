import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { teacherOf } from '../../core/spec/teacherOf.ts';

/** The teacher members' names and voting weights (see `teacherOf`). */
export function teacherWeights(job: ResolvedJob): { members: string[]; weights: number[] } {
  const { members, weights } = teacherOf(job);
  return { members: members.map((m) => m.name), weights };
}
