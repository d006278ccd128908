import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChorusProcess } from '../support/chorusProcess.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { slowAndFastJob } from './jobs.ts';

const MAX_DELIVER = 3;

/** Log lines of every worker that match `re`, in time order (lines start with an ISO time). */
function workerLines(cluster: Cluster, re: RegExp): string[] {
  return cluster.workers
    .flatMap((w) => w.log().split('\n'))
    .filter((l) => re.test(l))
    .sort();
}

/**
 * Workers still training `slow` (every job of this test has one) when its job ended stop it rather
 * than run it to the end: each start of train:slow so far is followed by a stop, none by a result.
 * Returns how many were started.
 */
async function assertSlowStopped(cluster: Cluster): Promise<number> {
  const count = (re: RegExp) => workerLines(cluster, re).length;
  const deadline = Date.now() + 30_000;
  while (count(/train:slow: delivery 1 stopped/) < count(/train:slow: delivery 1 started/)) {
    assert.ok(Date.now() < deadline, `train:slow was not stopped\n${cluster.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(workerLines(cluster, /train:slow: delivery \d+ done/), []);
  return count(/train:slow: delivery 1 started/);
}

/**
 * Failures that end a job, with fault injection in the worker threads (CHORUS_FAULTS). None may
 * hang: a task that always fails is delivered MaxDeliver times, then the job fails with its error
 * (shown by `chorus status`); bad input fails at once; a worker killed on the last delivery makes
 * JetStream give up (MAX_DELIVERIES advisory) and the job fails. Each time the worker still training
 * the job's other member is told to stop.
 */
test('tasks that cannot succeed fail the job after MaxDeliver deliveries (or at once), never hang', async (t) => {
  const cluster = await Cluster.start(t, {
    workers: 2,
    coordinatorArgs: ['--max-deliver', String(MAX_DELIVER), '--ack-wait-ms', '3000'],
    workerEnv: { CHORUS_FAULTS: 'fail@train:flaky,bad@train:bad,fail@train:lost#1,fail@train:lost#2' },
  });

  await t.test('a task that always fails', async (t) => {
    const jobId = await cluster.submit(
      await cluster.jobFile('fails.yaml', slowAndFastJob('always-fails', 'flaky')),
    );
    const end = await cluster.waitForEnd(jobId, 90_000);
    assert.equal(end.state, 'failed', cluster.logs());

    // Every delivery that reached a worker failed, the last one was delivery MaxDeliver, and there
    // was no other. (A delivery can be lost on the way, e.g. into a pull its client gave up under
    // load; JetStream counts it all the same, so fewer than MaxDeliver may reach a worker.)
    const starts = workerLines(cluster, /train:flaky: delivery \d+ started/);
    const failures = workerLines(cluster, /train:flaky: delivery \d+ failed/);
    assert.equal(failures.length, starts.length);
    assert.ok(starts.length >= 2 && starts.length <= MAX_DELIVER, starts.join('\n'));
    assert.match(starts.at(-1) ?? '', new RegExp(`delivery ${MAX_DELIVER} started`));
    assert.match(
      failures.at(-1) ?? '',
      new RegExp(`delivery ${MAX_DELIVER} failed: .*\\(attempt ${MAX_DELIVER}\\)$`),
    );

    // What a user sees: the status (as `chorus status --json` shows it), and the table.
    const status = await cluster.api().getJob(jobId);
    assert.equal(status.state, 'failed');
    assert.match(
      status.error ?? '',
      new RegExp(`train:flaky.*injected failure of train:flaky \\(attempt ${MAX_DELIVER}\\)`),
    );
    const task = status.tasks.find((x) => x.id === 'train:flaky');
    assert.equal(task?.state, 'failed');
    assert.match(task.lastError ?? '', /injected failure/);
    const table = await cluster.cli(t, ['status', jobId]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`job ${jobId} \\(always-fails\\): failed`));
    assert.match(table.stdout, /error: .*injected failure of train:flaky/);
    assert.equal(await assertSlowStopped(cluster), 1, 'train:slow was running when the job failed');
  });

  await t.test('bad input: no redelivery', async () => {
    const jobId = await cluster.submit(await cluster.jobFile('bad.yaml', slowAndFastJob('bad-input', 'bad')));
    const end = await cluster.waitForEnd(jobId, 90_000);
    assert.equal(end.state, 'failed', cluster.logs());
    assert.match(end.error ?? '', /injected bad input in train:bad/);
    assert.equal(workerLines(cluster, /train:bad: delivery \d+ started/).length, 1);
    await assertSlowStopped(cluster);
  });

  await t.test('the worker dies on the last delivery', async () => {
    // `slow` is short here: JetStream notices the lost delivery only when a worker pulls again.
    const job = slowAndFastJob('lost', 'lost', { fastEpochs: 30, slowEpochs: 2 });
    const jobId = await cluster.submit(await cluster.jobFile('lost.yaml', job));
    // Deliveries 1 and 2 fail (injected); kill the worker as soon as it starts the last one.
    const last = new RegExp(`train:lost: delivery ${MAX_DELIVER} started`);
    const victim = await Promise.any(
      cluster.workers.map((w) => w.waitForLine(last, 90_000).then((): ChorusProcess => w)),
    );
    await victim.kill();
    const end = await cluster.waitForEnd(jobId, 90_000);
    assert.equal(end.state, 'failed', cluster.logs());
    assert.match(end.error ?? '', new RegExp(`gave up after ${MAX_DELIVER} deliveries`));
    assert.match(end.error ?? '', /injected failure of train:lost \(attempt 2\)/);
    assert.equal(end.tasks.find((x) => x.id === 'train:lost')?.state, 'failed');
  });
});
