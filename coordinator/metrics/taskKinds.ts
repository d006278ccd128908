import type { TaskType } from '../../core/tasks/task.ts';

/** Every task kind: series labelled by kind are created at zero for each, so rates and sums exist from the start. */
export const TASK_KINDS = [
  'train',
  'predict',
  'stack',
  'soft-labels',
  'distill',
  'fold',
  'report',
] as const satisfies readonly TaskType[];

// Fails to compile when TaskType gains a kind this list lacks.
type Missing = Exclude<TaskType, (typeof TASK_KINDS)[number]>;
const _allKinds: Missing extends never ? true : never = true;
void _allKinds;
