import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobStatus } from '../../cluster/api/apiTypes.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { ChorusProcess } from '../support/chorusProcess.ts';
import { membersJob } from './jobs.ts';

/**
 * Faults as a client sees them (issue 21): NATS going away, a coordinator restarting under a
 * `submit --wait`, a cancelled job followed by `watch`, and `status` telling queued tasks from running
 * ones. One worker with one slot, so that tasks do wait in the queue.
 */
test('clients through faults', async (t) => {
  const cluster = await Cluster.start(t, { workers: 1 });

  await t.test('status separates queued tasks from the one running on the only slot', async (t) => {
    const file = await cluster.jobFile('queued.yaml', membersJob('queued', { replicas: 3, epochs: 30 }));
    const jobId = await cluster.submit(file);
    const status = await cluster.waitForJob(
      jobId,
      (s) => s.counts.running === 1 && s.counts.queued === 2,
      'one task running and two queued',
      120_000,
    );
    assert.equal(status.tasks.filter((task) => task.state === 'running').length, 1);
    assert.deepEqual(
      status.tasks.filter((task) => task.state === 'queued').map((task) => task.type),
      ['train', 'train'],
    );
    const text = await cluster.cli(t, ['status', jobId]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /1 running, 2 queued/);
    assert.match(text.stdout, /^train:mlp-\d\s+queued\s/m);
    const cancelled = await cluster.cli(t, ['cancel', jobId]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
  });

  await t.test('a cancelled job: watch exits 130 and says how to resume it', async (t) => {
    const file = await cluster.jobFile('cancel.yaml', membersJob('cancel-me', { replicas: 1, epochs: 200 }));
    const jobId = await cluster.submit(file);
    await cluster.waitForJob(jobId, (s) => s.counts.running === 1, 'the member to run');
    const watch = new ChorusProcess('watch', ['watch', jobId, '--coordinator', cluster.grpcAddress], { t });
    // Following: an epoch line of the member's progress has come through the watch stream.
    await watch.waitForLine(/train:mlp epoch \d+\//, 60_000);
    const cancelled = await cluster.cli(t, ['cancel', jobId]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    const exit = await watch.waitForExit(60_000);
    assert.equal(exit.code, 130, watch.log());
    assert.match(
      watch.stderr,
      new RegExp(`job ${jobId} was cancelled; submit the same job file again to resume it`),
    );
    assert.doesNotMatch(watch.stderr, /run the same command again/);

    const status = await cluster.cli(t, ['status', jobId]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`job ${jobId} \\(cancel-me\\): cancelled`));
  });

  let finishedJob = '';
  await t.test('submit --wait follows the job through a coordinator restart', async (t) => {
    const file = await cluster.jobFile(
      'restart.yaml',
      membersJob('follow-restart', { replicas: 1, epochs: 12 }),
    );
    const submit = new ChorusProcess(
      'submit',
      ['submit', file, '--wait', '--coordinator', cluster.grpcAddress],
      {
        t,
      },
    );
    // The job id comes first, so that a user can always `chorus watch` it.
    const submitted = await submit.waitForLine(/submitted job (\S+):/, 60_000);
    finishedJob = submitted[1] ?? '';
    await cluster.waitForEvent(
      finishedJob,
      (e) => e.type === 'task-progress' && (e.progress.epoch ?? 0) >= 2,
      'the member to reach epoch 2',
    );
    await cluster.coordinator.kill();
    await submit.waitForLine(/lost the coordinator .*; reconnecting in/, 60_000);
    await cluster.startCoordinator();
    const exit = await submit.waitForExit(180_000);
    assert.equal(exit.code, 0, `${submit.log()}\n${cluster.logs()}`);
    assert.match(submit.stderr, new RegExp(`reconnected to the coordinator; following job ${finishedJob}`));
    assert.match(submit.stdout, /^mlp\s+member/m, 'the report table');
  });

  await t.test('watch on a finished job reports it done, not "resuming"', async (t) => {
    const watch = await cluster.cli(t, ['watch', finishedJob]);
    assert.equal(watch.code, 0, watch.stderr);
    assert.doesNotMatch(watch.stderr, /resuming/);
    assert.match(watch.stderr, new RegExp(`job ${finishedJob}: (\\d+) of \\1 tasks done`));
    assert.match(watch.stdout, /^mlp\s+member/m);
  });

  await t.test(
    'while NATS is down, status and workers say so (never "no job"); afterwards they answer',
    async (t) => {
      cluster.nats.kill();
      try {
        const status = await cluster.cli(t, ['status', finishedJob]);
        assert.equal(status.code, 1, status.stderr);
        assert.match(status.stderr, /the coordinator has lost its NATS connection; retrying/);
        assert.doesNotMatch(status.stderr, /no job|TimeoutError|INTERNAL/);
        const workers = await cluster.cli(t, ['workers']);
        assert.equal(workers.code, 1, workers.stderr);
        assert.match(workers.stderr, /the coordinator has lost its NATS connection; retrying/);
        assert.doesNotMatch(workers.stderr, /TimeoutError|INTERNAL/);
      } finally {
        await cluster.nats.restart();
      }
      const after: JobStatus = await cluster.waitForJob(
        finishedJob,
        (s) => s.state === 'done',
        'status to answer again',
      );
      assert.equal(after.state, 'done');
      assert.ok(cluster.coordinator.running, 'the coordinator stayed up');
    },
  );
});
