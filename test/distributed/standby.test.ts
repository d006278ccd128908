import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectCoordinator } from '../../cluster/client/coordinatorConnection.ts';
import { NotLeaderError } from '../../cluster/errors.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import type { Report } from '../../core/report/report.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { ChorusProcess } from '../support/chorusProcess.ts';
import { membersJob } from './jobs.ts';
import { midTraining } from './midTraining.ts';
import { resultsOf } from './resultsOf.ts';

/** The takeover target of the issue: a standby serves within this long after the leader dies. */
const TAKEOVER_TARGET_MS = 10_000;

/** Polls `address` alone until it answers a call as leader; returns when it did. */
async function whenLeading(address: string, timeoutMs: number): Promise<number> {
  const client = connectCoordinator(address, { deadlineMs: 2000 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.listJobs();
        return Date.now();
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
}

/**
 * Two coordinators, one leading and one standing by, two workers given both addresses. The standby
 * refuses calls naming the leader. The leader is killed (SIGKILL) while members train: the standby
 * serves within the target, re-attaches to the dispatches in flight, and the job completes with
 * every task done once; `chorus submit --wait`, given both addresses, follows it through to the end.
 */
test('the leading coordinator killed mid-job: the standby takes over within 10 s and the job completes once', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2, coordinators: 2 });
  const standby = cluster.standbys[0];
  assert.ok(standby);

  // A standby answers nothing but where the leader is.
  const direct = connectCoordinator(standby.address);
  t.after(() => direct.close());
  await assert.rejects(direct.listJobs(), (err: unknown) => {
    assert.ok(err instanceof NotLeaderError, String(err));
    assert.equal(err.leader, cluster.grpcAddress);
    return true;
  });

  // …and is alive but not ready: a Kubernetes Service sends nobody to it.
  const metricsPort = (await standby.process.waitForLine(/metrics on port (\d+)/, 30_000))[1];
  const readyz = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
  assert.equal(readyz.status, 503);
  assert.match(await readyz.text(), /standing by: another coordinator holds the leadership lease/);

  const file = await cluster.jobFile('failover.yaml', membersJob('coordinator-failover', { epochs: 12 }));
  const submit = new ChorusProcess(
    'chorus submit',
    ['submit', file, '--wait', '--coordinator', cluster.coordinatorAddresses],
    {
      t,
      logLines: 400,
    },
  );
  const jobId = (await submit.waitForOutput(/submitted job (\S+):/, 60_000))[1] ?? '';
  await midTraining(cluster, jobId);

  const killedAt = Date.now();
  await cluster.coordinator.kill();
  const servingAt = await whenLeading(standby.address, 30_000);
  const takeoverMs = servingAt - killedAt;
  t.diagnostic(`takeover: the standby served ${takeoverMs} ms after the leader was killed`);
  assert.ok(takeoverMs <= TAKEOVER_TARGET_MS, `takeover in ${takeoverMs} ms`);
  assert.match(standby.process.log(), new RegExp(`resuming job ${jobId}`));

  const exit = await submit.waitForExit(180_000);
  assert.equal(exit.code, 0, `submit --wait: ${submit.log()}\n${cluster.logs()}`);
  const end = await cluster.waitForEnd(jobId);
  assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);

  // Every task done after one attempt, started once over both workers, with one final result.
  assert.deepEqual(
    end.tasks.map((task) => [task.id, task.state, task.attempts]),
    end.tasks.map((task) => [task.id, 'done', 1]),
  );
  const lines = cluster.workers.flatMap((w) => w.log().split('\n'));
  const pool = end.tasks.filter((task) => task.type !== 'report');
  for (const task of pool) {
    const starts = lines.filter((l) => l.includes(`${task.id}: delivery`) && l.includes('started'));
    assert.equal(starts.length, 1, `${task.id} started once: ${starts.join(' | ')}`);
  }
  const results = await resultsOf(await cluster.natsConnection(t), natsNames(cluster.prefix), jobId);
  assert.deepEqual(
    results.map((r) => r.taskId).sort(),
    pool.map((task) => task.id).sort(),
    'one result per task',
  );
  const report = JSON.parse((await cluster.api().getReport(jobId)).json) as Report;
  assert.deepEqual(report.members.map((m) => m.name).sort(), ['mlp-0', 'mlp-1']);
});

/**
 * The leader is paused (SIGSTOP) mid-job: the standby takes over and carries the job on. A submission
 * sent to the paused leader waits in its socket; resumed (SIGCONT), the old leader finds its lease
 * lapsed, steps down before it handles anything, refuses that submission (UNAVAILABLE, naming the new
 * leader) and writes nothing; the job completes with every task done once.
 */
test('a paused leader resumed after a takeover cannot write: it steps down and refuses', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2, coordinators: 2 });
  const standby = cluster.standbys[0];
  assert.ok(standby);
  const file = await cluster.jobFile('paused.yaml', membersJob('coordinator-paused', { epochs: 12 }));
  const jobId = await cluster.submit(file);
  await midTraining(cluster, jobId);
  const old = cluster.coordinator;
  old.signal('SIGSTOP');
  t.after(() => old.signal('SIGCONT'));
  const stoppedAt = Date.now();
  await whenLeading(standby.address, 30_000);
  t.diagnostic(`takeover from a paused leader: ${Date.now() - stoppedAt} ms`);

  // Sent while the old leader is stopped; answered once it runs again.
  const late = connectCoordinator(cluster.grpcAddress, { deadlineMs: 20_000 });
  t.after(() => late.close());
  const refused = late.submitJob(membersJob('from-the-paused-leader', { epochs: 1 }), 'late.yaml', [], {
    fresh: true,
  });
  await new Promise((r) => setTimeout(r, 500));
  old.signal('SIGCONT');
  await assert.rejects(refused, (err: unknown) => {
    assert.ok(err instanceof NotLeaderError, String(err));
    // It knows it is not the leader; which one is, it learns at its next read of the lease.
    assert.ok(err.leader === undefined || err.leader === standby.address, String(err.leader));
    return true;
  });
  await old.waitForLine(
    /leadership lease: (lapsed before it could be renewed|taken by another coordinator); stepping down/,
    30_000,
  );
  assert.ok(old.running, 'the old leader stands by; it did not crash');

  const end = await cluster.waitForEnd(jobId);
  assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
  assert.ok(end.tasks.every((task) => task.state === 'done'));
  const lines = cluster.workers.flatMap((w) => w.log().split('\n'));
  for (const task of end.tasks.filter((task) => task.type !== 'report')) {
    const done = lines.filter((l) => new RegExp(`${task.id}: delivery \\d+ done`).test(l));
    assert.equal(done.length, 1, `${task.id} done once: ${done.join(' | ')}`);
  }
  // Nothing of the refused submission reached the job state.
  const names = (await cluster.api().listJobs()).map((j) => j.name);
  assert.deepEqual(names, ['coordinator-paused']);
  // The old leader wrote nothing after it resumed: any write it tried was refused by the fence.
  assert.doesNotMatch(old.log(), /job \S+ (done|failed|cancelled)/);
});
