import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import type { Report } from '../../core/report/report.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { membersJob } from './jobs.ts';
import { midTraining } from './midTraining.ts';
import { resultsOf } from './resultsOf.ts';

/** Whether every copy of the stream is current (the leader's followers report no lag). */
async function allCurrent(jsm: JetStreamManager, stream: string, copies: number): Promise<boolean> {
  const { cluster } = await jsm.streams.info(stream);
  const followers = cluster?.replicas ?? [];
  return (
    cluster?.leader !== undefined &&
    followers.length === copies - 1 &&
    followers.every((r) => r.current && !r.offline && (r.lag ?? 0) === 0)
  );
}

/**
 * Three nats-servers clustered, every Chorus stream and bucket kept in three copies (--replicas 3):
 * the server leading the job-state bucket dies (SIGKILL) while members train; the job completes with
 * every task done once and every artifact readable, and the server, restarted, catches up.
 */
test('a NATS node killed mid-job on a three-node R3 cluster: the job completes, nothing runs twice, nothing is lost', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2, natsNodes: 3, coordinatorArgs: ['--replicas', '3'] });
  const names = natsNames(cluster.prefix);
  const nc = await cluster.natsConnection(t);
  const jsm = await jetstreamManager(nc);
  const streams = [
    names.taskStream,
    names.resultStream,
    names.advisoryStream,
    `KV_${names.stateBucket}`,
    `KV_${names.workersBucket}`,
    `OBJ_${names.artifactsBucket}`,
  ];
  for (const stream of streams) assert.equal((await jsm.streams.info(stream)).config.num_replicas, 3, stream);

  const file = await cluster.jobFile('node-lost.yaml', membersJob('nats-node-lost', { epochs: 6 }));
  const jobId = await cluster.submit(file);
  await midTraining(cluster, jobId);
  const leaderName = (await jsm.streams.info(`KV_${names.stateBucket}`)).cluster?.leader ?? '';
  const victim = cluster.natsServers[Number(leaderName.replace(/^n/, '')) - 1];
  assert.ok(victim, `the state bucket's leader ${leaderName} is one of ours`);
  victim.kill();

  const end = await cluster.waitForEnd(jobId, 180_000);
  assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
  assert.ok(cluster.coordinator.running, 'the coordinator survived');
  assert.ok(
    cluster.workers.every((w) => w.running),
    'both workers survived',
  );
  // Every task done once. An attempt that was writing through the lost server when it died may time
  // out and be delivered again (resuming from its checkpoint): that costs a delivery, never a result.
  const lines = cluster.workers.flatMap((w) => w.log().split('\n'));
  for (const task of end.tasks.filter((task) => task.type !== 'report')) {
    assert.equal(task.state, 'done');
    assert.ok(task.attempts <= 2, `${task.id}: ${task.attempts} attempts`);
    const done = lines.filter((l) => new RegExp(`${task.id}: delivery \\d+ done`).test(l));
    assert.equal(done.length, 1, `${task.id} done once: ${done.join(' | ')}`);
  }
  const results = await resultsOf(nc, names, jobId);
  const finals = results.filter((r) => r.final);
  assert.deepEqual(
    finals.map((r) => r.taskId).sort(),
    end.tasks
      .filter((task) => task.type !== 'report')
      .map((task) => task.id)
      .sort(),
    'one final result per task',
  );
  assert.ok(finals.every((r) => r.outcome.ok));
  // Every artifact is there and reads back with the digest it was listed with.
  const listed = await cluster.api().listArtifacts(jobId);
  assert.ok(listed.some((a) => a.path === 'report.json'));
  assert.ok(listed.some((a) => a.path.startsWith('models/members/mlp-0/')));
  const hashes = new Map<string, ReturnType<typeof createHash>>();
  for await (const piece of cluster.api().getArtifacts(jobId)) {
    if (piece.type === 'file') hashes.set(piece.file.path, createHash('sha256'));
    else hashes.get(piece.path)?.update(piece.bytes);
  }
  assert.deepEqual(
    [...hashes].map(([path, h]) => [path, h.digest('hex')]).sort(),
    listed.map((a) => [a.path, a.sha256]).sort(),
  );
  const report = JSON.parse((await cluster.api().getReport(jobId)).json) as Report;
  assert.deepEqual(report.members.map((m) => m.name).sort(), ['mlp-0', 'mlp-1']);

  // Restarted, the server catches up: every stream has three current copies, and it serves the state.
  await victim.restart();
  const deadline = Date.now() + 60_000;
  for (const stream of streams) {
    while (!(await allCurrent(jsm, stream, 3).catch(() => false))) {
      assert.ok(Date.now() < deadline, `${stream}: every copy current again`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const direct = await connect({ servers: victim.url });
  t.after(() => direct.close());
  const info = await (await jetstreamManager(direct)).streams.info(`KV_${names.stateBucket}`);
  assert.ok(info.state.messages > 0);
});
