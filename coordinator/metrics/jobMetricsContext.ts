import type { TaskType } from '../../core/tasks/task.ts';
import type { TaskShape } from './jobTaskStates.ts';

/** What the coordinator metrics need besides a scheduler event: which job, and its tasks. */
export interface JobMetricsContext {
  /** The job's id: the `job_id` label of its series while it is active. */
  job: string;
  /** The kind of one of the job's tasks. */
  kindOf(taskId: string): TaskType;
  /** The job's tasks with their dependencies, so pending tasks and the queue depth can be counted. */
  tasks?: readonly TaskShape[];
  /** Tasks already done when the job (re)starts: a resume. */
  alreadyDone?: Iterable<string>;
}

/** Builds the context from a planned job's task list (what `runTaskGraph` is given). */
export function jobMetricsContext(
  job: string,
  tasks: readonly TaskShape[],
  alreadyDone: Iterable<string> = [],
): JobMetricsContext {
  const kinds = new Map(tasks.map((t) => [t.id, t.type]));
  return {
    job,
    tasks,
    alreadyDone,
    // Task ids start with their kind (`train:mlp-0`): a fallback for ids the plan did not list.
    kindOf: (id) => kinds.get(id) ?? kindFromId(id),
  };
}

function kindFromId(id: string): TaskType {
  const prefix = id.split(':')[0];
  switch (prefix) {
    case 'train':
    case 'predict':
    case 'stack':
    case 'soft-labels':
    case 'distill':
    case 'fold':
    case 'report':
      return prefix;
    default:
      return 'train';
  }
}
