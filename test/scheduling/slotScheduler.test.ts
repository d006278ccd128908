import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Priority } from '../../core/spec/priority.ts';
import {
  SlotScheduler,
  type SlotLease,
  type SlotSource,
} from '../../coordinator/scheduling/slotScheduler.ts';
import type { RunningDispatch } from '../../coordinator/scheduling/workerRoster.ts';

/** Workers as a test sets them: a number of slots and the dispatches they run. */
class FakeWorkers implements SlotSource {
  total = 2;
  readonly runs = new Map<string, RunningDispatch>();
  slots(): number {
    return this.total;
  }
  running(): Map<string, RunningDispatch> {
    return new Map(this.runs);
  }
  start(jobId: string, taskId: string, dispatchId: string, startedAt: number): void {
    this.runs.set(dispatchId, { jobId, taskId, dispatchId, startedAt, workerId: 'w/1' });
  }
}

interface Granted {
  jobId: string;
  taskId: string;
  lease: SlotLease;
}

function setup(options: { preempt?: boolean; agingMs?: number; quota?: Record<string, number> } = {}) {
  const workers = new FakeWorkers();
  let clock = 1000;
  const yields: string[] = [];
  const scheduler = new SlotScheduler({
    workers,
    agingMs: options.agingMs ?? 0,
    preempt: options.preempt ?? false,
    quotaOf: (c) => options.quota?.[c],
    askToYield: (task) => yields.push(task.dispatchId),
    now: () => clock,
  });
  const granted: Granted[] = [];
  const controller = new AbortController();
  const want = (jobId: string, taskId: string) =>
    void scheduler
      .acquire(jobId, taskId, controller.signal)
      .then((lease) => granted.push({ jobId, taskId, lease }))
      .catch(() => undefined);
  const add = (jobId: string, priority: Priority, client?: string) =>
    scheduler.addJob({ jobId, priority, submittedAt: clock, ...(client ? { client } : {}) });
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    workers,
    scheduler,
    granted,
    yields,
    want,
    add,
    tick,
    controller,
    advance: (ms: number) => (clock += ms),
  };
}

describe('SlotScheduler', () => {
  it('keeps at most the window (slots + margin) granted, and grants the next place as one is released', async () => {
    const s = setup();
    s.add('a', 'normal');
    for (let i = 0; i < 10; i++) s.want('a', `t${i}`);
    await s.tick();
    assert.equal(s.granted.length, 3, '2 slots + 1');
    assert.equal(s.scheduler.waiting(), 7);
    assert.equal(s.scheduler.heldBy('a'), 3);
    s.granted[0]?.lease.release();
    s.granted[0]?.lease.release(); // idempotent
    await s.tick();
    assert.equal(s.granted.length, 4);
    assert.equal(s.scheduler.heldBy('a'), 3);
    s.workers.total = 10; // more workers: the window grows at the next change
    s.scheduler.pump();
    await s.tick();
    assert.equal(s.granted.length, 10);
  });

  it('serves a high job before a low one that waited longer, and shares a class fairly', async () => {
    const s = setup();
    s.workers.total = 3; // window 4
    s.add('sweep', 'low');
    for (let i = 0; i < 20; i++) s.want('sweep', `s${i}`);
    await s.tick();
    assert.equal(s.granted.length, 4);
    s.add('small', 'high');
    for (let i = 0; i < 3; i++) s.want('small', `h${i}`);
    s.add('other', 'low');
    for (let i = 0; i < 20; i++) s.want('other', `o${i}`);
    await s.tick();
    // Every place that frees goes to the high job until it has nothing waiting; then the low jobs
    // take turns by the slots they hold.
    for (const g of s.granted.slice(0, 3)) g.lease.release();
    await s.tick();
    assert.deepEqual(
      s.granted.slice(4).map((g) => g.jobId),
      ['small', 'small', 'small'],
    );
    const counts = () => ({ sweep: s.scheduler.heldBy('sweep'), other: s.scheduler.heldBy('other') });
    // Release the high job's places: the low jobs share them, the one holding fewer first.
    for (const g of s.granted.filter((x) => x.jobId === 'small')) g.lease.release();
    await s.tick();
    assert.deepEqual(counts(), { sweep: 2, other: 2 });
  });

  it("never lets a client's jobs hold more than its quota", async () => {
    const s = setup({ quota: { 'team-a': 2 } });
    s.workers.total = 10;
    s.add('a1', 'high', 'team-a');
    s.add('a2', 'high', 'team-a');
    s.add('b', 'low', 'team-b');
    for (let i = 0; i < 5; i++) {
      s.want('a1', `x${i}`);
      s.want('a2', `y${i}`);
      s.want('b', `z${i}`);
    }
    await s.tick();
    const held = () => s.scheduler.heldBy('a1') + s.scheduler.heldBy('a2');
    assert.equal(held(), 2);
    assert.equal(s.scheduler.heldBy('b'), 5, 'the rest of the window goes to others');
    s.granted.find((g) => g.jobId === 'a1')?.lease.release();
    await s.tick();
    assert.equal(held(), 2);
  });

  it('ages a waiting low job into the next class', async () => {
    const s = setup({ agingMs: 60_000 });
    s.workers.total = 1; // window 2
    s.add('n', 'normal');
    s.add('l', 'low');
    for (let i = 0; i < 5; i++) s.want('n', `n${i}`);
    s.want('l', 'l0');
    await s.tick();
    assert.deepEqual(
      s.granted.map((g) => g.jobId),
      ['n', 'n'],
    );
    s.advance(30_000);
    s.granted[0]?.lease.release();
    await s.tick();
    assert.equal(s.granted.at(-1)?.jobId, 'n', 'the normal job goes first while the low one has not aged');
    s.advance(30_000);
    s.granted[1]?.lease.release();
    await s.tick();
    // A minute unserved: aged to normal, and holding nothing, it goes before the normal job (served
    // 30 s ago, holding a place).
    assert.equal(s.granted.at(-1)?.jobId, 'l');
  });

  it('rejects a waiting task when its job is cancelled, and forgets it', async () => {
    const s = setup();
    s.workers.total = 0; // window 1
    s.add('a', 'normal');
    s.want('a', 't0');
    const p = s.scheduler.acquire('a', 't1', s.controller.signal);
    s.controller.abort();
    await assert.rejects(p, { name: 'AbortError' });
    assert.equal(s.scheduler.waiting(), 0);
  });

  it('with preemption, asks the most recently started low task to yield when a high task waits and every slot is busy', async () => {
    const s = setup({ preempt: true });
    s.add('low', 'low');
    for (let i = 0; i < 3; i++) s.want('low', `l${i}`);
    await s.tick();
    s.granted.forEach((g, i) => g.lease.dispatched(`d${i}`));
    s.workers.start('low', 'l0', 'd0', 100);
    s.workers.start('low', 'l1', 'd1', 200);
    s.scheduler.pump();
    assert.deepEqual(s.yields, [], 'nothing of a higher class waits');
    s.add('high', 'high');
    s.want('high', 'h0');
    await s.tick();
    assert.deepEqual(s.yields, ['d1']);
    s.scheduler.pump();
    assert.deepEqual(s.yields, ['d1'], 'asked once');
  });
});
