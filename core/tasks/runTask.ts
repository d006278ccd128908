import type { PoolTask } from './task.ts';
import type { TaskContext } from './taskContext.ts';
import type { TaskResult } from './taskResult.ts';
import { distillStudent } from './handlers/distillStudent.ts';
import { predictMember } from './handlers/predictMember.ts';
import { softLabels } from './handlers/softLabels.ts';
import { stackCombiner } from './handlers/stackCombiner.ts';
import { trainFold } from './handlers/trainFold.ts';
import { trainMember } from './handlers/trainMember.ts';

/** Runs one pool task with its handler: the same functions in embedded and distributed mode. */
export function runTask(task: PoolTask, ctx: TaskContext): Promise<TaskResult> {
  switch (task.type) {
    case 'train':
      return trainMember(task, ctx);
    case 'predict':
      return predictMember(task, ctx);
    case 'stack':
      return stackCombiner(task, ctx);
    case 'soft-labels':
      return softLabels(task, ctx);
    case 'distill':
      return distillStudent(task, ctx);
    case 'fold':
      return trainFold(task, ctx);
  }
}
