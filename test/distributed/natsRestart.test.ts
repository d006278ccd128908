import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cluster } from './cluster.ts';
import { membersJob } from './jobs.ts';

/**
 * nats-server goes down while members train and comes back on the same port with the same file
 * store: the coordinator and both workers reconnect on their own, and the job completes.
 */
test('nats-server restarted mid-job: every process reconnects and the job completes', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2 });
  const file = await cluster.jobFile('nats.yaml', membersJob('nats-restart', { epochs: 4 }));
  const jobId = await cluster.submit(file);

  await cluster.waitForEvent(
    jobId,
    (e) => e.type === 'task-progress' && e.id.startsWith('train:') && (e.progress.epoch ?? 0) >= 2,
    'a member to reach epoch 2',
  );
  cluster.nats.kill();
  // Down long enough for every client to notice (and for in-flight requests to fail).
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
  const back = async () =>
    (await cluster.api().listWorkers()).filter((w) => w.lastSeen > restartedAt).length === 2;
  const deadline = Date.now() + 30_000;
  while (!(await back())) {
    assert.ok(Date.now() < deadline, `both workers heartbeat again\n${cluster.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const report = JSON.parse((await cluster.api().getReport(jobId)).json) as { members: { name: string }[] };
  assert.deepEqual(report.members.map((m) => m.name).sort(), ['mlp-0', 'mlp-1']);
});
