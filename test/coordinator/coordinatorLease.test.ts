import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { CoordinatorLease } from '../../coordinator/leadership/coordinatorLease.ts';
import { fencedResources } from '../../coordinator/leadership/fencedResources.ts';
import { LeaseLostError } from '../../coordinator/leadership/leaseLostError.ts';
import { leaseOptions } from '../../coordinator/leadership/leaseOptions.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from '../nats/prefix.ts';

let srv: NatsServer;
let nc: NatsConnection;
before(async () => {
  srv = await startNatsServer();
  nc = await connect({ servers: srv.url });
});
after(async () => {
  await nc.close();
  await srv.stop();
});

/** A hand-driven monotonic clock: a "paused" process is one whose clock jumps. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const OPTIONS = leaseOptions(6);

function leaseOf(resources: NatsResources, name: string, now: () => number): CoordinatorLease {
  return new CoordinatorLease(
    resources.state,
    resources.names.leaderKey,
    { holder: name, address: `${name}:1` },
    OPTIONS,
    now,
  );
}

test('one coordinator holds the lease; a standby takes it only after a whole lease without renewal, with a larger token', async () => {
  const resources = await ensureResources(nc, { prefix: uniquePrefix() });
  const a = clock();
  const b = clock();
  const leaseA = leaseOf(resources, 'a', a.now);
  const leaseB = leaseOf(resources, 'b', b.now);
  const first = await leaseA.tryAcquire(undefined);
  assert.ok(first.token > 0);
  assert.ok(leaseA.held());

  // B watches: not before a whole lease has passed on its own clock since it first saw this revision.
  let seen = (await leaseB.tryAcquire(undefined)).seen;
  assert.equal(leaseB.token, 0);
  assert.equal(leaseB.leader, 'a:1', 'a standby knows where the leader is');
  b.advance(OPTIONS.leaseMs - 1);
  seen = (await leaseB.tryAcquire(seen)).seen;
  assert.equal(leaseB.held(), false);

  // A is paused (its clock jumps past the lease): it may not write any more, before anyone took over.
  a.advance(OPTIONS.leaseMs);
  assert.equal(leaseA.held(), false);
  const fencedA = fencedResources(resources, (what) => leaseA.assertHeld(what));
  assert.throws(() => fencedA.state.put('job.x', 'from a'), LeaseLostError);

  b.advance(1);
  const second = await leaseB.tryAcquire(seen);
  assert.ok(second.token > first.token, `token ${second.token} > ${first.token}`);
  assert.ok(leaseB.held());
  const fencedB = fencedResources(resources, (what) => leaseB.assertHeld(what));
  await fencedB.state.put('job.x', 'from b');

  // A resumes: every write of its term is refused, tasks and artifacts too, and the new leader's state stands.
  assert.throws(() => fencedA.state.put('job.x', 'from a'), LeaseLostError);
  assert.throws(() => fencedA.state.update('job.x', 'from a', 1), LeaseLostError);
  assert.throws(() => fencedA.js.publish(`${resources.names.prefix}.tasks.job`, 'task'), LeaseLostError);
  assert.throws(() => fencedA.objects.put('x', new Uint8Array(1), 1024), LeaseLostError);
  assert.throws(() => fencedA.jsm.streams.purge(resources.names.taskStream), LeaseLostError);
  assert.equal((await resources.state.get('job.x'))?.string(), 'from b');
  // Reads still pass.
  assert.equal((await fencedA.state.get('job.x'))?.string(), 'from b');

  // A's renewal finds the lease taken: it steps down.
  const stop = new AbortController();
  const why = await leaseA.hold(stop.signal, () => undefined);
  assert.equal(why, 'lost');
  assert.equal(leaseA.token, 0);
});

test('a renewal that lands keeps the lease; release lets a standby take it at once', async () => {
  const resources = await ensureResources(nc, { prefix: uniquePrefix() });
  const a = clock();
  const b = clock();
  const leaseA = leaseOf(resources, 'a', a.now);
  const leaseB = leaseOf(resources, 'b', b.now);
  const { token } = await leaseA.tryAcquire(undefined);
  // A renews (its clock moves on by less than a lease at each renewal): B, watching, sees new revisions.
  let seen = (await leaseB.tryAcquire(undefined)).seen;
  const stop = new AbortController();
  const holding = leaseA.hold(stop.signal, () => undefined);
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, OPTIONS.renewMs + 200));
    a.advance(OPTIONS.renewMs);
    b.advance(OPTIONS.leaseMs);
    seen = (await leaseB.tryAcquire(seen)).seen;
    assert.equal(leaseB.held(), false, `renewal ${i + 1} kept the lease from the standby`);
  }
  assert.ok(leaseA.held());
  assert.equal(leaseA.token, token, 'renewals keep the term token');
  stop.abort();
  assert.equal(await holding, 'stopped');
  await leaseA.release();
  assert.equal(leaseA.held(), false);
  assert.ok((await leaseB.tryAcquire(undefined)).token > token, 'taken at once after a release');
});
