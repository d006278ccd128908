import type { Task, TaskType } from '../../core/tasks/task.ts';

/** A task's state as the metrics count it (the scheduler's TaskStatus). */
export type MetricTaskState = 'pending' | 'running' | 'done' | 'failed';
export const METRIC_TASK_STATES: readonly MetricTaskState[] = ['pending', 'running', 'done', 'failed'];

/** What the metrics need to know of a task. */
export type TaskShape = Pick<Task, 'id' | 'type' | 'deps'>;

interface Tracked {
  kind: TaskType;
  deps: readonly string[];
  state: MetricTaskState;
}

/**
 * One active job's tasks and their states, rebuilt from the scheduler's events: the counts by kind
 * and state, and how many tasks are ready (dependencies done) but not started — the queue.
 */
export class JobTaskStates {
  private readonly tasks = new Map<string, Tracked>();

  constructor(tasks: readonly TaskShape[] = [], alreadyDone: Iterable<string> = []) {
    for (const t of tasks) this.tasks.set(t.id, { kind: t.type, deps: t.deps, state: 'pending' });
    for (const id of alreadyDone) {
      const t = this.tasks.get(id);
      if (t) t.state = 'done';
    }
  }

  kindOf(id: string): TaskType | undefined {
    return this.tasks.get(id)?.kind;
  }

  /** Records a task's new state, adding tasks the job did not list. */
  set(id: string, kind: TaskType, state: MetricTaskState): void {
    const t = this.tasks.get(id);
    if (t) t.state = state;
    else this.tasks.set(id, { kind, deps: [], state });
  }

  /**
   * A task starts only once its dependencies are done, so they are done even when the scheduler
   * said nothing of them (done in an earlier run that this one resumes).
   */
  started(id: string, kind: TaskType): void {
    for (const dep of this.tasks.get(id)?.deps ?? []) {
      const d = this.tasks.get(dep);
      if (d && d.state !== 'done') d.state = 'done';
    }
    this.set(id, kind, 'running');
  }

  /** A listed task that is still pending was done before (a resume); others are left as they are. */
  markDone(id: string): void {
    const t = this.tasks.get(id);
    if (t?.state === 'pending') t.state = 'done';
  }

  /** Adds this job's task counts into `into`, keyed `kind state`. */
  addCounts(into: Map<string, number>): void {
    for (const t of this.tasks.values()) {
      const key = `${t.kind} ${t.state}`;
      into.set(key, (into.get(key) ?? 0) + 1);
    }
  }

  /** Pending tasks whose dependencies are all done: they wait only for a free slot. */
  ready(): number {
    let n = 0;
    for (const t of this.tasks.values()) {
      if (t.state !== 'pending') continue;
      // An unknown dependency cannot be judged; count the task as waiting on it.
      if (t.deps.every((d) => this.tasks.get(d)?.state === 'done')) n++;
    }
    return n;
  }
}
