import type { ResolvedJob } from '../core/spec/resolvedJob.ts';
import type { Task } from '../core/tasks/task.ts';

/**
 * Turns a resolved job into its task graph (a pure function):
 *   train × members → predict × members → stack?   (a pretrained member: predict only)
 *   train(teacher members) → soft-labels × shards → distill × distilled students
 *   distill(baseline) needs only the data;  report needs every predict, stack and distill.
 * Tasks come out in a valid execution order (every dependency before its dependents).
 */
export function planJob(job: ResolvedJob): Task[] {
  const tasks: Task[] = [];
  const trainId = (m: string) => `train:${m}`;
  const predictIds: string[] = [];

  // A pretrained member is not trained: its predict task saves its model for the tasks after it.
  const trained = job.members.filter((m) => !m.pretrained);
  const pretrained = new Set(job.members.filter((m) => m.pretrained).map((m) => m.name));
  const modelReady = (m: string) => (pretrained.has(m) ? `predict:${m}` : trainId(m));
  for (const m of trained) tasks.push({ id: trainId(m.name), type: 'train', member: m.name, deps: [] });
  for (const m of job.members) {
    const id = `predict:${m.name}`;
    predictIds.push(id);
    tasks.push({ id, type: 'predict', member: m.name, deps: m.pretrained ? [] : [trainId(m.name)] });
  }

  const reportDeps = [...predictIds];
  if (job.ensemble.methods.includes('stacking')) {
    tasks.push({ id: 'stack', type: 'stack', deps: [...predictIds] });
    reportDeps.push('stack');
  }

  const d = job.distillation;
  if (d) {
    const softLabelIds: string[] = [];
    if (d.runs.some((r) => r.kind === 'distilled')) {
      for (let shard = 0; shard < d.shards; shard++) {
        const id = `soft-labels:${shard}`;
        softLabelIds.push(id);
        tasks.push({
          id,
          type: 'soft-labels',
          shard,
          shards: d.shards,
          deps: job.teacher.members.map(modelReady),
        });
      }
    }
    for (const run of d.runs) {
      const id = `distill:${run.name}`;
      tasks.push({
        id,
        type: 'distill',
        student: run.name,
        deps: run.kind === 'distilled' ? [...softLabelIds] : [],
      });
      reportDeps.push(id);
    }
  }

  tasks.push({ id: 'report', type: 'report', deps: reportDeps });
  return tasks;
}
