import type { TaskType } from '../../core/tasks/task.ts';
import { duration } from '../../core/report/format.ts';
import type { GpuTaskTiming, Report } from '../../core/report/report.ts';
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
function timingTable(report: Pick<Report, 'timing'>): ReportTable {
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

/** The timing tables: the timing table, then, when tasks ran on GPUs, which GPU ran each task. */
export function timingTables(report: Pick<Report, 'timing'>): ReportTable[] {
  const gpuTasks = report.timing.gpuTasks;
  return gpuTasks ? [timingTable(report), gpuTaskTable(gpuTasks)] : [timingTable(report)];
}

/** Each GPU task with the GPU its slot was placed on (`--gpus`), and the task time per GPU. */
function gpuTaskTable(tasks: GpuTaskTiming[]): ReportTable {
  const perGpu = new Map<number, { tasks: number; seconds: number }>();
  for (const task of tasks) {
    const entry = perGpu.get(task.gpu) ?? { tasks: 0, seconds: 0 };
    entry.tasks += 1;
    entry.seconds += task.seconds;
    perGpu.set(task.gpu, entry);
  }
  const totals = [...perGpu.entries()]
    .sort(([a], [b]) => a - b)
    .map(([gpu, e]) => `GPU ${gpu}: ${e.tasks} ${e.tasks === 1 ? 'task' : 'tasks'}, ${duration(e.seconds)}`);
  return {
    id: 'gpu-tasks',
    title: 'Tasks by GPU',
    columns: [
      { label: 'task', align: 'left' },
      { label: 'task type', align: 'left' },
      { label: 'GPU', align: 'right' },
      { label: 'time', align: 'right' },
    ],
    rows: tasks.map((t) => ({ cells: [t.task, t.type, String(t.gpu), duration(t.seconds)] })),
    notes: [`${totals.join('; ')}.`],
  };
}
