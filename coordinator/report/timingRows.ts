import type { TaskType } from '../../core/tasks/task.ts';
import { duration } from '../../core/report/format.ts';
import type { Report } from '../../core/report/report.ts';
import type { ReportTable } from './reportTables.ts';

const ORDER: TaskType[] = ['train', 'fold', 'predict', 'stack', 'soft-labels', 'distill', 'report'];

/** Task time per task type in pipeline order, skipping types that did not run. */
export function timingRows(
  report: Pick<Report, 'timing'>,
): { type: TaskType; tasks: number; seconds: number }[] {
  return ORDER.flatMap((type) => {
    const entry = report.timing.byType[type];
    return entry ? [{ type, ...entry }] : [];
  });
}

/** The timing table: task time per type, then wall clock, task time, parallelism and retries. */
export function timingTable(report: Pick<Report, 'timing'>): ReportTable {
  const time = report.timing;
  return {
    id: 'timing',
    title: 'Timing',
    columns: [
      { label: 'task type', align: 'left' },
      { label: 'tasks', align: 'right' },
      { label: 'time', align: 'right' },
    ],
    rows: timingRows(report).map((row) => ({ cells: [row.type, String(row.tasks), duration(row.seconds)] })),
    notes: [
      `Wall clock ${duration(time.wallSeconds)}; ${duration(time.taskSeconds)} of task time ` +
        `(${time.parallelism}x parallel); ${time.retries} ${time.retries === 1 ? 'retry' : 'retries'}.`,
    ],
  };
}
