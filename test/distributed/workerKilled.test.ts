import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import type { KvTaskRecord } from '../../cluster/state/kvTaskRecord.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { membersJob } from './jobs.ts';

const EPOCHS = 8;
const ACK_WAIT_MS = 3000;
/** The only member (one replica keeps the group's name). */
const TASK = 'train:mlp';

/**
 * kill -9 of the worker training a member: JetStream redelivers the task after AckWait (3 s here)
 * to the other worker, which resumes from the last epoch checkpoint in the Object Store.
 */
test('a worker killed mid-training: the task moves to the other worker, resumes from its checkpoint, the job completes', async (t) => {
  const cluster = await Cluster.start(t, {
    workers: 2,
    coordinatorArgs: ['--ack-wait-ms', String(ACK_WAIT_MS)],
  });
  const nc = await cluster.natsConnection(t);
  const names = natsNames(cluster.prefix);
  // Workers started after the coordinator adopt its AckWait rather than reset it to their default.
  const consumer = await (await jetstreamManager(nc)).consumers.info(names.taskStream, names.taskConsumer);
  assert.equal(consumer.config.ack_wait, nanos(ACK_WAIT_MS));
  const file = await cluster.jobFile('kill.yaml', membersJob('kill-worker', { replicas: 1, epochs: EPOCHS }));
  const jobId = await cluster.submit(file);

  // Epoch 4 under way: epoch 2's checkpoint is written (epoch 3's may still be being written while
  // epoch 4 trains: a checkpoint write overlaps the next epoch, and each waits for the one before).
  await cluster.waitForEvent(
    jobId,
    (e) => e.type === 'task-progress' && e.id === TASK && (e.progress.epoch ?? 0) >= 4,
    `${TASK} to reach epoch 4`,
  );
  const victim = cluster.workerRunning(TASK, 1);
  assert.ok(victim, `a worker logged running ${TASK}\n${cluster.logs()}`);
  await victim.kill();
  const killedAt = Date.now();

  const end = await cluster.waitForEnd(jobId);
  assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
  const survivor = cluster.workers.find((w) => w !== victim);
  assert.ok(survivor?.running);
  const redelivered = await survivor.waitForLine(
    new RegExp(`^(\\S+) worker: ${TASK}: delivery 2 started`),
    1000,
  );
  const after = Date.parse(redelivered[1] ?? '') - killedAt;
  assert.ok(after < 15_000, `redelivered ${after} ms after the kill (AckWait ${ACK_WAIT_MS} ms)`);
  assert.match(survivor.log(), new RegExp(`${TASK}: delivery 2 done`));
  assert.doesNotMatch(victim.log(), new RegExp(`${TASK}: delivery 1 done`), 'the victim never finished it');

  // The second delivery resumed from the last checkpoint (epoch 2 or later), not from scratch, and
  // the member still trained all its epochs.
  const kv = await new Kvm(jetstream(nc)).open(names.stateBucket);
  const record = (await kv.get(names.taskKey(jobId, TASK)))?.json<KvTaskRecord>();
  assert.equal(record?.result?.type, 'train');
  if (record.result.type !== 'train') return;
  assert.ok(
    record.result.resumedFromEpoch >= 2 && record.result.resumedFromEpoch < EPOCHS,
    `resumed from epoch ${record.result.resumedFromEpoch}`,
  );
  assert.equal(record.result.history.loss.length, EPOCHS);

  assert.ok(end.tasks.every((task) => task.state === 'done'));
  // Status counts the redelivery as an attempt.
  assert.equal(record.deliveries, 2);
  assert.equal(end.tasks.find((task) => task.id === TASK)?.attempts, 2);
});
