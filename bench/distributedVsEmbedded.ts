/**
 * The four-member job on 2 worker processes (1 slot each) through a real coordinator and nats-server,
 * against the same job embedded with 2 slots, measured in the same run (target: ≤ 1.1×).
 * Distributed time: from SubmitJob to the job's record leaving `running` in KV (workers already up).
 */
import { readFile, rm } from 'node:fs/promises';
import { benchJobCopy, FOUR_MLPS_JOB } from './benchJob.ts';
import { figure, type Benchmark } from './benchResults.ts';
import { LoadCluster } from './loadCluster.ts';
import { runTsChild } from './runChild.ts';
import type { SlotScalingChildResult } from './slotScalingChild.ts';

export const distributedVsEmbedded: Benchmark = async ({ quick }) => {
  const title = '4-member job: 2 worker processes × 1 slot (distributed) vs embedded with 2 slots';
  const embedded = await runTsChild<SlotScalingChildResult>(
    './slotScalingChild.ts',
    ['--slots', '2', ...(quick ? ['--epochs', '1'] : [])],
    { timeoutMs: 600_000 },
  );
  if (!embedded.ok || !embedded.result) {
    return {
      title,
      figures: [],
      details: {},
      skipped: `embedded run failed: ${embedded.error ?? 'no result'}`,
    };
  }
  const copy = await benchJobCopy(FOUR_MLPS_JOB, quick ? 1 : undefined);
  const cluster = await LoadCluster.start();
  try {
    await cluster.startWorkers(2);
    const started = performance.now();
    const submitted = await cluster
      .api()
      .submitJob(await readFile(copy.jobFile, 'utf8'), 'four-mlps.yaml', []);
    const finished = await cluster.waitForJobs([submitted.jobId], 600_000);
    const seconds = (performance.now() - started) / 1000;
    const record = await cluster.jobRecord(submitted.jobId);
    // Where the time went: each task's start and end, in seconds from the submission.
    const startMs = Date.now() - seconds * 1000;
    const status = await cluster.api().getJob(submitted.jobId);
    const timeline = Object.fromEntries(
      status.tasks.map((t) => [
        t.id,
        [t.startedAt, t.finishedAt].map((ms) => (ms === undefined ? null : Math.round(ms - startMs) / 1000)),
      ]),
    );
    if (!finished || record?.status !== 'done') {
      return {
        title,
        figures: [],
        details: { embedded: embedded.result },
        skipped: `distributed run did not finish: ${record?.status ?? 'unknown'} ${record?.error ?? ''}`,
      };
    }
    return {
      title,
      figures: [
        figure({
          id: 'distributed.job-time',
          group: title,
          label: 'whole job on 2 worker processes (submit → done)',
          value: seconds,
          unit: 's',
          baseline: {
            label: 'embedded, 2 slots (runEmbedded wall time)',
            value: embedded.result.wallSeconds,
          },
          higherIsBetter: false,
        }),
      ],
      details: { embedded: embedded.result, distributedSeconds: seconds, jobId: submitted.jobId, timeline },
    };
  } finally {
    await cluster.stop();
    await rm(copy.dir, { recursive: true, force: true });
  }
};
