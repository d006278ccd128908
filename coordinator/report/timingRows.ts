import type { TaskType } from '../../core/tasks/task.ts';
import type { Report } from '../../core/report/report.ts';

const ORDER: TaskType[] = ['train', 'fold', 'predict', 'stack', 'soft-labels', 'distill', 'report'];

/** Task time per task type in pipeline order, skipping types that did not run. */
export function timingRows(report: Report): { type: TaskType; tasks: number; seconds: number }[] {
  return ORDER.flatMap((type) => {
    const entry = report.timing.byType[type];
    return entry ? [{ type, ...entry }] : [];
  });
}
