import { JobSpecError, type SpecIssue } from '../errors.ts';
import { modelShapeProblems, problemPath } from './modelShapeProblems.ts';
import type { ResolvedJob } from './resolvedJob.ts';

/**
 * Checks every member's and the student's layers against the data's real sample shape and class
 * count, once they are known from the loaded data (file sources: the job file alone cannot tell).
 * Throws a JobSpecError naming `members[i].layers[j]` as parsing does, so that a conv2d on flat CSV
 * samples is refused as bad input before any task runs, instead of failing as a training task.
 */
export function checkModelsAgainstData(
  job: ResolvedJob,
  sampleShape: readonly number[],
  classes: number,
  source?: string,
): void {
  const issues: SpecIssue[] = [];
  // Replicas share their layers: check each member entry of the job file once, by its position there.
  const groups = [...new Set(job.members.map((m) => m.group))];
  groups.forEach((group, i) => {
    const member = job.members.find((m) => m.group === group);
    if (!member || member.model) return; // a model file is checked when it is read
    for (const p of modelShapeProblems(member.layers, sampleShape, classes)) {
      issues.push({
        path: problemPath(`members[${i}].layers`, p),
        message: `member "${group}": ${p.message}`,
      });
    }
  });
  const student = job.distillation?.student;
  if (student && !student.model) {
    for (const p of modelShapeProblems(student.layers, sampleShape, classes)) {
      issues.push({
        path: problemPath('distillation.student.layers', p),
        message: `student "${student.name}": ${p.message}`,
      });
    }
  }
  if (issues.length > 0) throw new JobSpecError(issues, source);
}
