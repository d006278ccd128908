import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KvTaskRecord } from '../../cluster/state/kvTaskRecord.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { membersJob } from './jobs.ts';

const EPOCHS = 10;
const LONG_TASK = 'train:long';

/** The task's KV record (its result says from which epoch it resumed). */
async function taskRecord(
  cluster: Cluster,
  t: Parameters<Cluster['natsConnection']>[0],
  jobId: string,
  taskId: string,
) {
  const nc = await cluster.natsConnection(t);
  const names = natsNames(cluster.prefix);
  const kv = await new Kvm(jetstream(nc)).open(names.stateBucket);
  return (await kv.get(names.taskKey(jobId, taskId)))?.json<KvTaskRecord>();
}

/** How many times any worker logged finishing a delivery of the task. */
function timesDone(cluster: Cluster, taskId: string): number {
  const re = new RegExp(`${taskId}: delivery \\d+ done`, 'g');
  return cluster.workers.reduce((n, w) => n + (w.log().match(re)?.length ?? 0), 0);
}

/** The long task resumed from a checkpoint, trained every epoch, used one attempt and ran to the end once. */
async function assertResumedOnce(
  cluster: Cluster,
  t: Parameters<Cluster['natsConnection']>[0],
  jobId: string,
) {
  const status = await cluster.api().getJob(jobId);
  assert.equal(status.state, 'done', `${status.error ?? ''}\n${cluster.logs()}`);
  const record = await taskRecord(cluster, t, jobId, LONG_TASK);
  assert.equal(record?.result?.type, 'train');
  if (record.result.type !== 'train') return;
  assert.ok(
    record.result.resumedFromEpoch >= 1 && record.result.resumedFromEpoch < EPOCHS,
    `resumed from epoch ${record.result.resumedFromEpoch}`,
  );
  assert.equal(record.result.history.loss.length, EPOCHS);
  assert.equal(
    status.tasks.find((task) => task.id === LONG_TASK)?.attempts,
    1,
    'giving the slot back used no attempt',
  );
  assert.equal(timesDone(cluster, LONG_TASK), 1, 'no task done twice');
}

test('with --preempt, a waiting high-priority task makes the running low one checkpoint and yield; it resumes with its attempts unchanged', async (t) => {
  const cluster = await Cluster.start(t, { workers: 1, coordinatorArgs: ['--preempt'] });
  const low = await cluster.submit(
    await cluster.jobFile(
      'low.yaml',
      membersJob('preempted', { member: 'long', replicas: 1, epochs: EPOCHS }),
    ),
    { priority: 'low' },
  );
  await cluster.waitForEvent(
    low,
    (e) => e.type === 'task-progress' && e.id === LONG_TASK && (e.progress.epoch ?? 0) >= 2,
    `${LONG_TASK} to reach epoch 2`,
  );
  const high = await cluster.submit(
    await cluster.jobFile('high.yaml', membersJob('urgent', { member: 'quick', replicas: 1, epochs: 1 })),
    { priority: 'high' },
  );
  const highEnd = await cluster.waitForEnd(high);
  assert.equal(highEnd.state, 'done', `${highEnd.error ?? ''}\n${cluster.logs()}`);
  assert.equal((await cluster.api().getJob(low)).state, 'running', 'the high job finished first');
  assert.match(cluster.coordinator.log(), new RegExp(`preempting ${LONG_TASK} of job ${low}`));
  const worker = cluster.workers[0];
  assert.match(
    worker?.log() ?? '',
    new RegExp(`${LONG_TASK}: gave its slot back \\(a higher-priority task waits`),
  );

  const lowEnd = await cluster.waitForEnd(low);
  assert.equal(lowEnd.state, 'done', `${lowEnd.error ?? ''}\n${cluster.logs()}`);
  await assertResumedOnce(cluster, t, low);
});

test('a worker drained by SIGTERM gives its training task back: another worker resumes it from its checkpoint, not as a failed attempt', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2 });
  const jobId = await cluster.submit(
    await cluster.jobFile(
      'drain.yaml',
      membersJob('drained', { member: 'long', replicas: 1, epochs: EPOCHS }),
    ),
  );
  await cluster.waitForEvent(
    jobId,
    (e) => e.type === 'task-progress' && e.id === LONG_TASK && (e.progress.epoch ?? 0) >= 2,
    `${LONG_TASK} to reach epoch 2`,
  );
  const drained = cluster.workerRunning(LONG_TASK, 1);
  assert.ok(drained, `a worker logged running ${LONG_TASK}\n${cluster.logs()}`);
  // SIGTERM, then SIGKILL only if it outlasts a generous grace: the drain itself ends it.
  await drained.stop(60_000);
  assert.match(drained.log(), new RegExp(`${LONG_TASK}: gave its slot back \\(this worker is draining\\)`));
  const end = await cluster.waitForEnd(jobId);
  assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
  const survivor = cluster.workers.find((w) => w !== drained);
  assert.match(
    survivor?.log() ?? '',
    new RegExp(`${LONG_TASK}: delivery 1 started`),
    'a new dispatch, delivered once',
  );
  await assertResumedOnce(cluster, t, jobId);
});
