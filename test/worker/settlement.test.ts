import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';
import {
  decideSettlement,
  dropReason,
  MAX_RETRY_DELAY_MS,
  retryDelayMs,
  type DeliveryEnd,
} from '../../worker/distributed/settlement.ts';

const done: TaskOutcome = { ok: true, result: { type: 'predict', seconds: 1 } };
const retryable: TaskOutcome = {
  ok: false,
  error: { name: 'ArtifactNotFoundError', message: 'artifact not found: x', retryable: true },
};
const badInput: TaskOutcome = {
  ok: false,
  error: { name: 'DatasetError', message: 'x.csv: ragged row 3', retryable: false },
};

function end(partial: Partial<DeliveryEnd>): DeliveryEnd {
  return {
    outcome: done,
    leaseLost: false,
    cancelled: false,
    yieldRequested: false,
    drained: false,
    attempt: 1,
    maxDeliver: 3,
    ...partial,
  };
}

describe('decideSettlement', () => {
  it('publishes a success as final, then acks', () => {
    assert.deepEqual(decideSettlement(end({})), { kind: 'publish', final: true, after: { ack: 'ack' } });
  });

  it('naks a retryable failure with a backoff while attempts remain', () => {
    assert.deepEqual(decideSettlement(end({ outcome: retryable, attempt: 2 })), {
      kind: 'publish',
      final: false,
      after: { ack: 'nak', delayMs: 2000 },
    });
  });

  it('terms a retryable failure on the last attempt, as final', () => {
    assert.deepEqual(decideSettlement(end({ outcome: retryable, attempt: 3 })), {
      kind: 'publish',
      final: true,
      after: { ack: 'term', reason: 'artifact not found: x' },
    });
  });

  it('terms bad input at once, whatever deliveries remain', () => {
    const s = decideSettlement(end({ outcome: badInput, attempt: 1 }));
    assert.deepEqual(s, {
      kind: 'publish',
      final: true,
      after: { ack: 'term', reason: 'x.csv: ragged row 3' },
    });
  });

  it('cuts a term reason to 200 characters', () => {
    const long: TaskOutcome = { ok: false, error: { name: 'E', message: 'y'.repeat(500), retryable: false } };
    const s = decideSettlement(end({ outcome: long }));
    assert.equal(s.kind === 'publish' && s.after.ack === 'term' ? s.after.reason.length : -1, 200);
  });

  it('abandons a delivery whose lease ran out, before anything else (even a success)', () => {
    for (const partial of [{}, { cancelled: true }, { drained: true }, { outcome: badInput }]) {
      assert.deepEqual(decideSettlement(end({ ...partial, leaseLost: true })), { kind: 'abandon' });
    }
  });

  it('acks a cancelled job without a result', () => {
    assert.deepEqual(decideSettlement(end({ cancelled: true, drained: true })), { kind: 'ack-cancelled' });
  });

  it('requeues a task stopped on request (a yield or a drain), not as a failed attempt', () => {
    const yielded: TaskOutcome = {
      ok: false,
      error: { name: 'TaskYieldedError', message: 'gave its slot back after epoch 2', retryable: true },
    };
    const aborted: TaskOutcome = {
      ok: false,
      error: { name: 'AbortError', message: 'stopped', retryable: true },
    };
    assert.deepEqual(decideSettlement(end({ yieldRequested: true, outcome: yielded, attempt: 3 })), {
      kind: 'requeue',
    });
    assert.deepEqual(decideSettlement(end({ drained: true, outcome: aborted })), { kind: 'requeue' });
  });

  it('counts a real failure even when a yield was asked for, and keeps a success', () => {
    assert.deepEqual(decideSettlement(end({ yieldRequested: true })), {
      kind: 'publish',
      final: true,
      after: { ack: 'ack' },
    });
    assert.equal(decideSettlement(end({ yieldRequested: true, outcome: badInput })).kind, 'publish');
    assert.deepEqual(decideSettlement(end({ yieldRequested: true, outcome: retryable, attempt: 1 })), {
      kind: 'publish',
      final: false,
      after: { ack: 'nak', delayMs: 1000 },
    });
    // Stopped by its own worker: requeued whatever error the stop surfaced as.
    assert.deepEqual(decideSettlement(end({ drained: true, outcome: retryable })), { kind: 'requeue' });
  });
});

describe('retryDelayMs', () => {
  it('doubles from one second and stops at the maximum', () => {
    assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [1000, 2000, 4000, 8000]);
    assert.equal(retryDelayMs(50), MAX_RETRY_DELAY_MS);
  });
});

describe('dropReason', () => {
  const running = { status: 'running' };
  it('runs a task of a running job with no newer dispatch', () => {
    assert.equal(dropReason(running, undefined, 'd1'), undefined);
    assert.equal(dropReason(running, { status: 'running', dispatchId: 'd1' }, 'd1'), undefined);
  });
  it('drops tasks of unknown and ended jobs, superseded dispatches and finished tasks', () => {
    assert.match(dropReason(undefined, undefined, 'd1') ?? '', /unknown/);
    assert.match(dropReason({ status: 'cancelled' }, undefined, 'd1') ?? '', /cancelled/);
    assert.match(dropReason(running, { status: 'running', dispatchId: 'd2' }, 'd1') ?? '', /newer dispatch/);
    assert.match(dropReason(running, { status: 'done', dispatchId: 'd1' }, 'd1') ?? '', /done/);
  });
});
