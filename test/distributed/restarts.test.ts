import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import type { Report } from '../../core/report/report.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { membersJob } from './jobs.ts';
import { midTraining } from './midTraining.ts';
import { resultsOf } from './resultsOf.ts';

/**
 * Restarts of the two stateful pieces, one job each, on one cluster (two worker processes).
 */
test('restarts mid-job: the job completes, nothing runs or counts twice', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2 });

  /**
   * The coordinator is killed (SIGKILL) while members train, and started again after one finished:
   * its result waited in the durable result stream, the new coordinator re-attaches to the recorded
   * dispatches, and every task runs, and is counted, exactly once.
   */
  await t.test('the coordinator killed and restarted', async (t) => {
    const file = await cluster.jobFile('restart.yaml', membersJob('coordinator-restart', { epochs: 6 }));
    const jobId = await cluster.submit(file);
    await midTraining(cluster, jobId);
    await cluster.coordinator.kill();
    // A result published while no coordinator runs: it must wait in the stream for the next one.
    await Promise.race(cluster.workers.map((w) => w.waitForLine(/train:mlp-\d: delivery 1 done/, 60_000)));
    await cluster.startCoordinator();

    const end = await cluster.waitForEnd(jobId);
    assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
    assert.match(cluster.coordinator.log(), new RegExp(`resuming job ${jobId}`));

    // `chorus status --json`: every task done after a single attempt (none re-dispatched).
    const status = await cluster.status(t, jobId);
    assert.equal(status.state, 'done');
    assert.deepEqual(
      status.tasks.map((task) => [task.id, task.state, task.attempts]),
      status.tasks.map((task) => [task.id, 'done', 1]),
    );

    // Each task started once over both workers, and left exactly one result on the result stream.
    const lines = cluster.workers.flatMap((w) => w.log().split('\n'));
    const pool = status.tasks.filter((task) => task.type !== 'report');
    for (const task of pool) {
      const starts = lines.filter((l) => l.includes(`${task.id}: delivery`) && l.includes('started'));
      assert.equal(starts.length, 1, `${task.id} started once: ${starts.join(' | ')}`);
    }
    const results = await resultsOf(await cluster.natsConnection(t), natsNames(cluster.prefix), jobId);
    const perTask = new Map<string, number>();
    for (const r of results) perTask.set(r.taskId, (perTask.get(r.taskId) ?? 0) + 1);
    assert.deepEqual([...perTask].sort(), pool.map((task) => [task.id, 1]).sort());
    assert.ok(results.every((r) => r.final && r.outcome.ok));

    // The report counts each member once.
    const report = JSON.parse((await cluster.api().getReport(jobId)).json) as Report;
    assert.deepEqual(report.members.map((m) => m.name).sort(), ['mlp-0', 'mlp-1']);
  });

  /**
   * nats-server dies (SIGKILL) while members train and comes back on the same port with the same
   * file store: the coordinator and both workers reconnect on their own, and the job completes.
   */
  await t.test('nats-server killed and restarted', async (t) => {
    const file = await cluster.jobFile('nats.yaml', membersJob('nats-restart', { epochs: 4 }));
    const jobId = await cluster.submit(file);
    await midTraining(cluster, jobId);
    cluster.nats.kill();
    // Down long enough for every client to notice (and for requests in flight to fail).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const restartedAt = Date.now();
    await cluster.nats.restart();

    const end = await cluster.waitForEnd(jobId);
    assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
    assert.ok(end.tasks.every((task) => task.state === 'done'));
    assert.ok(cluster.coordinator.running, 'the coordinator survived');
    assert.ok(
      cluster.workers.every((w) => w.running),
      'both workers survived',
    );
    // Both workers are back: their heartbeats reached the restarted server.
    const deadline = Date.now() + 30_000;
    const back = async () =>
      (await cluster.api().listWorkers()).filter((w) => w.lastSeen > restartedAt).length === 2;
    while (!(await back())) {
      assert.ok(Date.now() < deadline, `both workers heartbeat again\n${cluster.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // …as `chorus workers` shows.
    const listed = await cluster.cli(t, ['workers', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const ids = (JSON.parse(listed.stdout) as { workerId: string }[]).map((w) => w.workerId).sort();
    assert.deepEqual(ids, cluster.workers.map((w) => `worker/${hostname()}-${w.pid}`).sort());
    const report = JSON.parse((await cluster.api().getReport(jobId)).json) as Report;
    assert.deepEqual(report.members.map((m) => m.name).sort(), ['mlp-0', 'mlp-1']);
  });
});
