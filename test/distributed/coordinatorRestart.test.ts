import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { decodeMessage, resultMessage, type ResultMessage } from '../../coordinator/distributed/messages.ts';
import { natsNames } from '../../coordinator/nats/natsNames.ts';
import type { Report } from '../../coordinator/report/report.ts';
import { Cluster } from './cluster.ts';
import { membersJob } from './jobs.ts';

/**
 * The coordinator is killed (SIGKILL) while members train, and started again while they finish:
 * their results wait in the durable result stream, the new coordinator re-attaches to the recorded
 * dispatches, and the job completes with every task run and counted exactly once.
 */
test('the coordinator killed and restarted mid-job: the job completes, no task runs or counts twice', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2 });
  const file = await cluster.jobFile('restart.yaml', membersJob('coordinator-restart', { epochs: 6 }));
  const jobId = await cluster.submit(file);

  await cluster.waitForEvent(
    jobId,
    (e) => e.type === 'task-progress' && e.id.startsWith('train:') && (e.progress.epoch ?? 0) >= 2,
    'a member to reach epoch 2',
  );
  await cluster.coordinator.kill();
  // A result published while no coordinator runs: it must wait in the stream for the next one.
  await Promise.race(cluster.workers.map((w) => w.waitForLine(/train:mlp-\d: delivery 1 done/, 60_000)));
  await cluster.startCoordinator();

  const end = await cluster.waitForEnd(jobId);
  assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
  assert.match(cluster.coordinator.log(), new RegExp(`resuming job ${jobId}`));

  // `chorus status`: every task done after a single attempt (none re-dispatched).
  const status = await cluster.status(t, jobId);
  assert.equal(status.state, 'done');
  assert.deepEqual(
    status.tasks.map((task) => [task.id, task.state, task.attempts]),
    status.tasks.map((task) => [task.id, 'done', 1]),
  );

  // Each task started once over both workers, and produced exactly one result on the result stream.
  const logs = cluster.workers.map((w) => w.log()).join('\n');
  for (const task of status.tasks.filter((task) => task.type !== 'report')) {
    const starts = logs.split('\n').filter((l) => l.includes(`${task.id}: delivery`) && l.includes('started'));
    assert.equal(starts.length, 1, `${task.id} started once: ${starts.join(' | ')}`);
  }
  const results = await resultsOf(cluster, t, jobId);
  const perTask = new Map<string, number>();
  for (const r of results) perTask.set(r.taskId, (perTask.get(r.taskId) ?? 0) + 1);
  assert.deepEqual(
    [...perTask].sort(),
    status.tasks.filter((task) => task.type !== 'report').map((task) => [task.id, 1]).sort(),
  );
  assert.ok(results.every((r) => r.final && r.outcome.ok));

  // The report counts each member once.
  const report = JSON.parse((await cluster.api().getReport(jobId)).json) as Report;
  assert.deepEqual(report.members.map((m) => m.name).sort(), ['mlp-0', 'mlp-1']);
});

/** Every message on the job's result subject. */
async function resultsOf(
  cluster: Cluster,
  t: Parameters<Cluster['natsConnection']>[0],
  jobId: string,
): Promise<ResultMessage[]> {
  const nc = await cluster.natsConnection(t);
  const names = natsNames(cluster.prefix);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(names.resultStream);
  const out: ResultMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const stored = await jsm.streams.getMessage(names.resultStream, { seq }).catch(() => null);
    if (!stored || stored.subject !== names.resultSubject(jobId)) continue;
    out.push(decodeMessage<ResultMessage>(resultMessage, stored.data, 'result'));
  }
  return out;
}
