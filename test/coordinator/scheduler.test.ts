import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Executor, RunOptions } from '../../core/tasks/executor.ts';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';
import { runTaskGraph } from '../../coordinator/scheduler.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { StateStore } from '../../coordinator/stateStore.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import { JobFailedError, JobInterruptedError } from '../../core/errors.ts';
import type { PoolTask, Task } from '../../core/tasks/task.ts';

class MemoryStore implements StateStore {
  readonly records = new Map<string, TaskRecord>();
  async loadTasks() {
    return [...this.records.values()].map((r) => ({ ...r }));
  }
  async putTask(r: TaskRecord) {
    this.records.set(r.id, { ...r });
  }
}

/** A fake executor (unit test): `behaviour` decides each attempt's outcome. */
class FakeExecutor implements Executor {
  readonly slots: number;
  readonly calls: string[] = [];
  maxConcurrent = 0;
  private active = 0;
  constructor(
    slots: number,
    private readonly behaviour: (
      task: PoolTask,
      attempt: number,
      signal: AbortSignal,
    ) => Promise<TaskOutcome>,
  ) {
    this.slots = slots;
  }
  async run(task: PoolTask, o: RunOptions): Promise<TaskOutcome> {
    this.calls.push(`${task.id}#${o.attempt}`);
    this.active++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.active);
    try {
      return await this.behaviour(task, o.attempt, o.signal);
    } finally {
      this.active--;
    }
  }
  async close() {}
}

const ok = (): TaskOutcome => ({ ok: true, result: { type: 'predict', seconds: 0 } });
const tick = () => new Promise((r) => setTimeout(r, 5));

const graph: Task[] = [
  { id: 'train:a', type: 'train', member: 'a', deps: [] },
  { id: 'train:b', type: 'train', member: 'b', deps: [] },
  { id: 'train:c', type: 'train', member: 'c', deps: [] },
  { id: 'predict:a', type: 'predict', member: 'a', deps: ['train:a'] },
  { id: 'predict:b', type: 'predict', member: 'b', deps: ['train:b'] },
  { id: 'predict:c', type: 'predict', member: 'c', deps: ['train:c'] },
  { id: 'report', type: 'report', deps: ['predict:a', 'predict:b', 'predict:c'] },
];

const report = async () => ({ type: 'report' as const, seconds: 0 });

test('runs every task once, dependencies first, never more than `slots` at a time', async () => {
  const done: string[] = [];
  const exec = new FakeExecutor(2, async (t) => {
    await tick();
    done.push(t.id);
    return ok();
  });
  const store = new MemoryStore();
  const records = await runTaskGraph({
    tasks: graph,
    store,
    executor: exec,
    maxAttempts: 3,
    runReport: report,
  });
  assert.equal(exec.maxConcurrent, 2);
  assert.equal(exec.calls.length, 6);
  for (const m of ['a', 'b', 'c']) assert.ok(done.indexOf(`train:${m}`) < done.indexOf(`predict:${m}`));
  assert.ok([...records.values()].every((r) => r.status === 'done'));
  assert.equal(store.records.get('report')?.status, 'done');
});

test('a retryable failure is retried; a persistent one fails the job after maxAttempts', async () => {
  const flaky = new FakeExecutor(1, async (t, attempt) =>
    t.id === 'train:b' && attempt < 3
      ? { ok: false, error: { name: 'Error', message: 'thread crashed', retryable: true } }
      : ok(),
  );
  const events: SchedulerEvent[] = [];
  await runTaskGraph({
    tasks: graph,
    store: new MemoryStore(),
    executor: flaky,
    maxAttempts: 3,
    runReport: report,
    onEvent: (e) => events.push(e),
  });
  assert.deepEqual(
    flaky.calls.filter((c) => c.startsWith('train:b')),
    ['train:b#1', 'train:b#2', 'train:b#3'],
  );
  assert.equal(events.filter((e) => e.type === 'task-failed' && e.willRetry).length, 2);

  const broken = new FakeExecutor(1, async (t) =>
    t.id === 'train:b' ? { ok: false, error: { name: 'Error', message: 'boom', retryable: true } } : ok(),
  );
  const store = new MemoryStore();
  await assert.rejects(
    runTaskGraph({ tasks: graph, store, executor: broken, maxAttempts: 2, runReport: report }),
    (err: unknown) => err instanceof JobFailedError && err.taskId === 'train:b' && /boom/.test(err.message),
  );
  assert.equal(store.records.get('train:b')?.status, 'failed');
  assert.equal(store.records.get('train:b')?.attempts, 2);
  assert.equal(store.records.has('report'), false);
});

test('a non-retryable failure is not retried', async () => {
  const exec = new FakeExecutor(1, async (t) =>
    t.id === 'train:a'
      ? { ok: false, error: { name: 'DatasetError', message: 'bad file', retryable: false } }
      : ok(),
  );
  await assert.rejects(
    runTaskGraph({
      tasks: graph,
      store: new MemoryStore(),
      executor: exec,
      maxAttempts: 5,
      runReport: report,
    }),
    JobFailedError,
  );
  assert.deepEqual(
    exec.calls.filter((c) => c.startsWith('train:a')),
    ['train:a#1'],
  );
});

test('resume: tasks done in the store are not run again; interrupted ones are', async () => {
  const store = new MemoryStore();
  await store.putTask({
    id: 'train:a',
    status: 'done',
    attempts: 1,
    result: { type: 'predict', seconds: 0 },
  });
  await store.putTask({ id: 'train:b', status: 'running', attempts: 1 });
  const exec = new FakeExecutor(2, async () => ok());
  const events: SchedulerEvent[] = [];
  await runTaskGraph({
    tasks: graph,
    store,
    executor: exec,
    maxAttempts: 3,
    runReport: report,
    onEvent: (e) => events.push(e),
  });
  assert.ok(!exec.calls.some((c) => c.startsWith('train:a')));
  assert.ok(exec.calls.includes('train:b#1'));
  assert.deepEqual(events[0], { type: 'job-started', total: 7, alreadyDone: 1 });
});

test('abort: running tasks go back to pending and the job says it was interrupted', async () => {
  const controller = new AbortController();
  const exec = new FakeExecutor(2, (t, _attempt, signal) =>
    t.id.startsWith('train:')
      ? new Promise<TaskOutcome>((resolve) => {
          signal.addEventListener('abort', () =>
            resolve({ ok: false, error: { name: 'AbortError', message: 'aborted', retryable: true } }),
          );
          setTimeout(() => controller.abort(), 10);
        })
      : Promise.resolve(ok()),
  );
  const store = new MemoryStore();
  await assert.rejects(
    runTaskGraph({
      tasks: graph,
      store,
      executor: exec,
      maxAttempts: 3,
      runReport: report,
      signal: controller.signal,
    }),
    JobInterruptedError,
  );
  assert.equal(store.records.get('train:a')?.status, 'pending');
  assert.equal(store.records.get('train:a')?.attempts, 0);
  assert.equal(exec.calls.length, 2);
});

test('a signal aborted before the run starts dispatches nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  const exec = new FakeExecutor(2, async () => ok());
  await assert.rejects(
    runTaskGraph({
      tasks: graph,
      store: new MemoryStore(),
      executor: exec,
      maxAttempts: 3,
      runReport: report,
      signal: controller.signal,
    }),
    JobInterruptedError,
  );
  assert.equal(exec.calls.length, 0);
});

test('an executor that can re-attach picks up attempts that were running, without a new attempt', async () => {
  const store = new MemoryStore();
  await store.putTask({ id: 'train:a', status: 'running', attempts: 2, startedAt: 5 });
  const exec = new FakeExecutor(2, async () => ok());
  const reattached: string[] = [];
  const withReattach: Executor = Object.assign(exec, {
    reattach: async (task: PoolTask, record: TaskRecord) => {
      reattached.push(`${task.id}@${record.attempts}`);
      return ok();
    },
  });
  await runTaskGraph({ tasks: graph, store, executor: withReattach, maxAttempts: 3, runReport: report });
  assert.deepEqual(reattached, ['train:a@2']);
  assert.ok(!exec.calls.some((c) => c.startsWith('train:a')));
  assert.equal(store.records.get('train:a')?.attempts, 2);
  assert.equal(store.records.get('train:a')?.startedAt, 5);
});

test('a failing state store fails the run with its error, after the running tasks stop', async () => {
  class BrokenStore extends MemoryStore {
    override async putTask(r: TaskRecord) {
      if (r.id === 'predict:b' && r.status === 'running') throw new Error('disk full');
      await super.putTask(r);
    }
  }
  const exec = new FakeExecutor(2, async (_t, _a, signal) => {
    await tick();
    return signal.aborted
      ? { ok: false, error: { name: 'AbortError', message: 'aborted', retryable: true } }
      : ok();
  });
  await assert.rejects(
    runTaskGraph({
      tasks: graph,
      store: new BrokenStore(),
      executor: exec,
      maxAttempts: 3,
      runReport: report,
    }),
    /disk full/,
  );
  assert.ok(!exec.calls.includes('predict:b#1'));
});
