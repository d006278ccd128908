import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Turns } from '../../coordinator/distributed/turns.ts';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/**
 * Five CPU-heavy steps requested at once, as a burst of submissions would; the first one sets a 1 ms
 * timer and each step works for 5 ms, so the timer is due as soon as the first step ends.
 */
async function burst(startStep: () => Promise<void>): Promise<string[]> {
  const log: string[] = [];
  let timerFired = () => {};
  const timer = new Promise<void>((resolve) => (timerFired = resolve));
  const steps = Array.from({ length: 5 }, (_, i) =>
    startStep().then(() => {
      log.push(`step ${i}`);
      if (i === 0) {
        setTimeout(() => {
          log.push('timer');
          timerFired();
        }, 1);
      }
      busy(5);
    }),
  );
  await Promise.all([...steps, timer]);
  return log;
}

test('turns resolve in call order, one per event-loop iteration, so a due timer runs between them', async () => {
  const turns = new Turns();
  const log = await burst(turns.next);
  assert.deepEqual(log, ['step 0', 'timer', 'step 1', 'step 2', 'step 3', 'step 4']);
});

test('without turns the same burst holds a due timer until every step is done (what Turns prevents)', async () => {
  const log = await burst(() => new Promise<void>((resolve) => setImmediate(resolve)));
  assert.deepEqual(log, ['step 0', 'step 1', 'step 2', 'step 3', 'step 4', 'timer']);
});
