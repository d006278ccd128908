import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseVictim, type RunningTask } from '../../coordinator/scheduling/preemptionPolicy.ts';

function running(dispatchId: string, rank: number, startedAt: number, yielding = false): RunningTask {
  return { dispatchId, jobId: `job-${rank}`, taskId: `t-${dispatchId}`, rank, startedAt, yielding };
}

/** Waiting tasks by rank: [low, normal, high]. */
const waiting = (low: number, normal: number, high: number) => [low, normal, high];

describe('chooseVictim', () => {
  it('asks the lowest-priority, most recently started task to yield when a higher one waits and no slot is free', () => {
    const tasks = [
      running('n1', 1, 100),
      running('l1', 0, 200),
      running('l2', 0, 300),
      running('n2', 1, 400),
    ];
    assert.equal(
      chooseVictim({ slots: 4, running: tasks, waitingByRank: waiting(0, 0, 1) })?.dispatchId,
      'l2',
    );
  });

  it('asks no one while a slot is free, nothing outranks the lowest, or enough were asked already', () => {
    const tasks = [running('l1', 0, 1), running('l2', 0, 2)];
    assert.equal(chooseVictim({ slots: 3, running: tasks, waitingByRank: waiting(0, 0, 1) }), undefined);
    assert.equal(chooseVictim({ slots: 2, running: tasks, waitingByRank: waiting(5, 0, 0) }), undefined);
    const asked = [running('l1', 0, 1), running('l2', 0, 2, true)];
    assert.equal(chooseVictim({ slots: 2, running: asked, waitingByRank: waiting(0, 1, 0) }), undefined);
    // A second waiting task gets a second yield.
    assert.equal(
      chooseVictim({ slots: 2, running: asked, waitingByRank: waiting(0, 1, 1) })?.dispatchId,
      'l1',
    );
  });

  it('never preempts a task of the class that waits', () => {
    const tasks = [running('h1', 2, 1), running('h2', 2, 2)];
    assert.equal(chooseVictim({ slots: 2, running: tasks, waitingByRank: waiting(0, 0, 3) }), undefined);
  });
});
