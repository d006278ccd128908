import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryTransient } from '../../coordinator/distributed/retryTransient.ts';
import { ChorusError } from '../../core/errors.ts';

/** An operation that fails `failures` times with `error`, then returns 'ok'. */
function flaky(failures: number, error: () => Error) {
  let calls = 0;
  return {
    calls: () => calls,
    op: () => {
      calls++;
      return calls <= failures ? Promise.reject(error()) : Promise.resolve('ok');
    },
  };
}

test('an operation failing for want of NATS is run again until it succeeds, with one log line', async () => {
  const lines: string[] = [];
  const f = flaky(3, () => new Error('TimeoutError: timeout'));
  assert.equal(await retryTransient('saving', f.op, { log: (l) => lines.push(l) }), 'ok');
  assert.equal(f.calls(), 4);
  assert.deepEqual(lines, ['saving: Error: TimeoutError: timeout; retrying while NATS is unavailable']);
});

test("Chorus's own errors are not retried", async () => {
  const f = flaky(1, () => new ChorusError('bad input'));
  await assert.rejects(retryTransient('saving', f.op), /bad input/);
  assert.equal(f.calls(), 1);
});

test('retrying stops once aborted, or past the give-up time', async () => {
  const aborted = new AbortController();
  aborted.abort();
  const f = flaky(5, () => new Error('no responders'));
  await assert.rejects(retryTransient('saving', f.op, { signal: aborted.signal }), /no responders/);
  assert.equal(f.calls(), 1);

  const g = flaky(100, () => new Error('timeout'));
  const started = Date.now();
  await assert.rejects(retryTransient('saving', g.op, { giveUpMs: 700 }), /timeout/);
  assert.ok(Date.now() - started < 2000);
  assert.ok(g.calls() >= 2 && g.calls() <= 4, `${g.calls()} calls`);
});
