import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareJobs,
  effectiveRank,
  nextJob,
  windowSize,
  type JobQueueState,
} from '../../coordinator/scheduling/dispatchPolicy.ts';

const LOW = 0;
const NORMAL = 1;
const HIGH = 2;

function job(jobId: string, partial: Partial<JobQueueState> = {}): JobQueueState {
  return {
    jobId,
    rank: NORMAL,
    waiting: 1,
    held: 0,
    starvedSince: 0,
    lastGrantAt: 0,
    submittedAt: 0,
    ...partial,
  };
}

const noQuota = () => undefined;

describe('nextJob', () => {
  it('serves the highest class first, whatever the others hold', () => {
    const jobs = [job('sweep', { rank: LOW, held: 0 }), job('urgent', { rank: HIGH, held: 5 })];
    assert.equal(nextJob(jobs, noQuota, 0, 0)?.jobId, 'urgent');
  });

  it('within a class, the job holding the fewest slots (fair share), then the one served longest ago', () => {
    const a = job('a', { held: 3, lastGrantAt: 1 });
    const b = job('b', { held: 2, lastGrantAt: 5 });
    assert.equal(nextJob([a, b], noQuota, 10, 0)?.jobId, 'b');
    const c = job('c', { held: 2, lastGrantAt: 4 });
    assert.equal(nextJob([a, b, c], noQuota, 10, 0)?.jobId, 'c');
  });

  it('skips jobs with nothing waiting, and clients at their quota', () => {
    const jobs = [
      job('idle', { rank: HIGH, waiting: 0 }),
      job('a1', { rank: HIGH, client: 'team-a', held: 2 }),
      job('a2', { rank: HIGH, client: 'team-a', held: 1 }),
      job('b', { rank: LOW, client: 'team-b', held: 4 }),
    ];
    const quota = (c: string) => (c === 'team-a' ? 3 : undefined);
    // team-a holds 3 over its two jobs: at its quota, so the low job of team-b goes next.
    assert.equal(nextJob(jobs, quota, 0, 0)?.jobId, 'b');
    assert.equal(nextJob(jobs, () => 4, 0, 0)?.jobId, 'a2');
    assert.equal(nextJob([job('x', { waiting: 0 })], noQuota, 0, 0), undefined);
  });

  it('ages a job one class up per agingMs unserved, at most to high', () => {
    const low = job('low', { rank: LOW, starvedSince: 0 });
    assert.equal(effectiveRank(low, 999, 1000), LOW);
    assert.equal(effectiveRank(low, 1000, 1000), NORMAL);
    assert.equal(effectiveRank(low, 60_000, 1000), HIGH);
    assert.equal(effectiveRank(low, 60_000, 0), LOW, '0: no aging');
    const normal = job('normal', { held: 0, lastGrantAt: 0, starvedSince: 500 });
    // The aged low job ties with the normal one on class; it holds nothing either, and was served
    // no later, so it goes first on submission order, then id.
    assert.equal(nextJob([normal, low], noQuota, 1000, 1000)?.jobId, 'low');
    assert.equal(nextJob([normal, low], noQuota, 900, 1000)?.jobId, 'normal');
  });

  it('orders totally and deterministically', () => {
    const a = job('a');
    const b = job('b');
    assert.ok(compareJobs(a, b, 0, 0) < 0);
    assert.ok(compareJobs(b, a, 0, 0) > 0);
    assert.equal(compareJobs(a, a, 0, 0), 0);
  });
});

describe('windowSize', () => {
  it('is the connected slots plus a tenth, at least one more', () => {
    assert.deepEqual([0, 1, 2, 10, 11, 40].map(windowSize), [1, 2, 3, 11, 13, 44]);
  });
});
