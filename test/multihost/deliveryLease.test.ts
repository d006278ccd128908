import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryLease } from '../../worker/distributed/deliveryLease.ts';

/** A clock the test moves by hand. */
function clock(start = 10_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('a delivery lease holds while heartbeats are confirmed and runs out a margin before AckWait', () => {
  const c = clock();
  const lease = new DeliveryLease(2000, c.now(), c.now);
  c.advance(1000);
  assert.equal(lease.lost(), false);
  lease.confirm(c.now()); // a heartbeat sent now, confirmed by a flush
  c.advance(1700);
  assert.equal(lease.silentMs(), 1700);
  assert.equal(lease.lost(), false, '1.7 s of silence: JetStream has not redelivered yet');
  c.advance(100);
  assert.equal(lease.lost(), true, '1.8 s: within the margin (AckWait/10) of a redelivery');
});

test('a lost lease stays lost, and a confirmation of an older heartbeat does not move it back', () => {
  const c = clock();
  const lease = new DeliveryLease(30_000, c.now(), c.now);
  const sentBeforeTheCut = c.now() + 5_000;
  c.advance(5_000);
  lease.confirm(sentBeforeTheCut);
  c.advance(29_000);
  assert.equal(lease.lost(), true, 'margin capped at 1 s for long AckWaits');
  lease.confirm(c.now()); // the link is back: too late, another worker may hold the task
  assert.equal(lease.lost(), true);
  const other = new DeliveryLease(30_000, c.now(), c.now);
  other.confirm(c.now() - 60_000);
  assert.equal(other.silentMs(), 0, 'an older confirmation never moves the lease back');
});

test('a heartbeat confirmed only after the lease ran out (sent into a cut link, through once it healed) does not revive it', () => {
  const c = clock();
  const lease = new DeliveryLease(2000, c.now(), c.now);
  const sentDuringTheCut = c.now() + 1300;
  c.advance(2500); // the link heals; the flush of that heartbeat comes back only now
  lease.confirm(sentDuringTheCut);
  assert.equal(lease.lost(), true, 'JetStream may have redelivered before the heartbeat arrived');
});
