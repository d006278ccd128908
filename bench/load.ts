/**
 * Load: a real distributed Chorus (nats-server, one coordinator process, four worker processes with one
 * slot each) under many small jobs at once, with the coordinator watched from outside: its event-loop
 * lag (prom-client's monitorEventLoopDelay, scraped every 200 ms), its memory (/proc), and the state the
 * jobs end in. Also the dispatch latency, task published → task started on an idle worker.
 *
 * Phases, in order: idle coordinator; one job alone (warms the workers; the throughput baseline);
 * N jobs × 10 members at once, in mixed priority classes (high, normal, low in turn: each class's
 * completion times are reported); single-member jobs one at a time (end-to-end dispatch latency); the
 * NATS-level dispatch latency (bench/natsDispatchChild.ts); workers stopped, jobs totalling ≥ 1,000
 * train tasks submitted so that they queue (the coordinator holds all but a window of them, see
 * docs/distributed.md, "Sharing the cluster"); workers started again to drain the queue for a bounded
 * time; the rest cancelled.
 */
import { loadavg } from 'node:os';
import type { SubmittedJob } from '../cluster/api/apiTypes.ts';
import { PRIORITIES, type Priority } from '../core/spec/priority.ts';
import { median } from './aggregation.ts';
import { figure, type Benchmark, type Figure } from './benchResults.ts';
import { CoordinatorSampler } from './coordinatorSampler.ts';
import { LoadCluster } from './loadCluster.ts';
import { checkLoadConsistency, type LoadConsistency } from './loadConsistency.ts';
import { loadJob } from './loadJob.ts';
import { DISPATCH_TARGET_MS, LAG_TARGET_MS } from './loadTargets.ts';
import type { NatsDispatchResult } from './natsDispatchChild.ts';
import { processCpuSeconds, processMemory, resetPeakMemory } from './processMemory.ts';
import { runTsChild } from './runChild.ts';

const WORKERS = 4;

interface Sizes {
  jobs: number;
  members: number;
  queueJobs: number;
  queueMembers: number;
  /** How long the workers drain the deep queue before the rest is cancelled. */
  drainMs: number;
  dispatchJobs: number;
  natsSamples: number;
  loadTimeoutMs: number;
}

const FULL: Sizes = {
  jobs: 20,
  members: 10,
  queueJobs: 50,
  queueMembers: 20,
  drainMs: 45_000,
  dispatchJobs: 10,
  natsSamples: 200,
  loadTimeoutMs: 240_000,
};
const QUICK: Sizes = {
  jobs: 4,
  members: 10,
  queueJobs: 10,
  queueMembers: 10,
  drainMs: 10_000,
  dispatchJobs: 3,
  natsSamples: 50,
  loadTimeoutMs: 120_000,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (t0: number) => (performance.now() - t0) / 1000;

export const loadBenchmark: Benchmark = async ({ quick }) => {
  const s = quick ? QUICK : FULL;
  const queued = s.queueJobs * s.queueMembers;
  const title = `Load: ${s.jobs} jobs × ${s.members} members at once, then ${queued} queued tasks, through one coordinator and ${WORKERS} workers`;
  const loads: Record<string, number[]> = { start: loadavg() };
  console.log('  load: nats-server and coordinator');
  let cluster: LoadCluster;
  try {
    cluster = await LoadCluster.start();
  } catch (err) {
    return { title, figures: [], details: {}, skipped: `the cluster did not start: ${String(err)}` };
  }
  const pid = cluster.coordinator.pid;
  const api = cluster.api();
  const sampler = new CoordinatorSampler(cluster.metricsUrl, pid);
  const phase = async (name: string) => {
    await sampler.sample(); // closes the previous phase
    sampler.phase = name;
    loads[name] = loadavg();
  };
  const submitAll = (
    tag: string,
    n: number,
    members: number,
    seed0: number,
    priorityOf?: (i: number) => Priority,
  ): Promise<SubmittedJob[]> =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        api.submitJob(loadJob(`${tag}-${i}`, members, seed0 + i), `${tag}-${i}.yaml`, [], {
          fresh: true,
          ...(priorityOf ? { priority: priorityOf(i) } : {}),
        }),
      ),
    );
  const jobSpan = async (jobs: readonly SubmittedJob[]) => {
    const records = await Promise.all(jobs.map((j) => cluster.jobRecord(j.jobId)));
    const submitted = Math.min(...records.map((r) => r?.submittedAt ?? Infinity));
    const finished = Math.max(...records.map((r) => r?.finishedAt ?? -Infinity));
    return (finished - submitted) / 1000;
  };

  try {
    // The first scrape covers the coordinator's start-up: it belongs to no phase.
    sampler.phase = 'startup';
    await sampler.sample();
    sampler.phase = 'idle';
    sampler.start();
    await sleep(3_000);
    await phase('workers-start');
    const idle = await processMemory(pid);
    const idleLag = sampler.summary('idle');

    console.log(`  load: ${WORKERS} workers`);
    await cluster.startWorkers(WORKERS);

    // One job alone: warms every worker's thread and wasm engine, and is the throughput baseline.
    await phase('single');
    console.log(`  load: one ${s.members}-member job alone`);
    const [single] = await submitAll('single', 1, s.members, 1000);
    if (!single || !(await cluster.waitForJobs([single.jobId], s.loadTimeoutMs))) {
      throw new Error(`the single job did not finish:\n${cluster.coordinator.tail()}`);
    }
    const singleSeconds = await jobSpan([single]);

    // The load itself.
    await phase('load');
    const peakReset = await resetPeakMemory(pid);
    const cpu0 = await processCpuSeconds(pid);
    console.log(`  load: ${s.jobs} jobs × ${s.members} members at once, classes high, normal, low in turn`);
    const t0 = performance.now();
    const jobs = await submitAll('load', s.jobs, s.members, 1, loadPriority);
    const submitSeconds = seconds(t0);
    const finished = await cluster.waitForJobs(
      jobs.map((j) => j.jobId),
      s.loadTimeoutMs,
    );
    const loadWallSeconds = finished ? await jobSpan(jobs) : seconds(t0);
    await phase('checks');
    const loadMemory = await processMemory(pid);
    const loadCpuSeconds = (await processCpuSeconds(pid)) - cpu0;
    const loadLag = sampler.summary('load');
    const consistency = await checkLoadConsistency(cluster, jobs, s.members);
    const workerTasks = jobs.reduce((n, j) => n + j.tasks - 1, 0);
    const byClass = await completionByClass(cluster, jobs);

    // End-to-end dispatch latency: single-member jobs one at a time, every worker idle.
    await phase('dispatch');
    console.log(`  load: dispatch latency, ${s.dispatchJobs} one-member jobs one at a time`);
    const e2e = await dispatchLatencies(cluster, s.dispatchJobs);

    console.log(`  load: NATS-level dispatch latency (${s.natsSamples} samples)`);
    const nats = await runTsChild<NatsDispatchResult>(
      './natsDispatchChild.ts',
      [
        '--nats',
        cluster.natsServers[0]?.url ?? '',
        '--count',
        String(s.natsSamples),
        '--burst',
        String(queued),
      ],
      { timeoutMs: 120_000 },
    );

    // ≥ 1,000 tasks queued with no worker running, then drained.
    console.log(`  load: ${s.queueJobs} jobs × ${s.queueMembers} members queued with no worker running`);
    await cluster.stopWorkers();
    await phase('queue-dispatch');
    await resetPeakMemory(pid);
    // Ready tasks the coordinator holds back or has put on the work queue (chorus_queue_depth, read
    // by the sampler's own scrapes): with no worker connected, all but a window of one is held back.
    const before = sampler.latestQueueDepth();
    const q0 = performance.now();
    const queueJobs = await submitAll('queue', s.queueJobs, s.queueMembers, 2000);
    const queueSubmitSeconds = seconds(q0);
    let onQueue = before;
    while (onQueue - before < queued && performance.now() - q0 < 120_000) {
      await sleep(50);
      onQueue = sampler.latestQueueDepth();
    }
    const queueDispatchSeconds = seconds(q0);
    const queueDispatched = onQueue - before;
    // From here the coordinator receives results: workers pull as soon as each one is up.
    await phase('queue-drain');
    const resultsBefore = await cluster.resultCount();
    const d0 = performance.now();
    console.log(`  load: ${WORKERS} workers drain the queue for up to ${s.drainMs / 1000} s once up`);
    await cluster.startWorkers(WORKERS);
    const workersStartSeconds = seconds(d0);
    const drained = await cluster.waitForJobs(
      queueJobs.map((j) => j.jobId),
      s.drainMs,
    );
    const drainSeconds = seconds(d0);
    await phase('queue-cancel');
    const queueMemory = await processMemory(pid);
    const tasksDrained = (await cluster.resultCount()) - resultsBefore;
    await sampler.sample();
    const leftOnQueue = sampler.latestQueueDepth();
    const c0 = performance.now();
    await Promise.all(queueJobs.map((j) => api.cancelJob(j.jobId).catch(() => undefined)));
    const cancelSeconds = seconds(c0);
    await phase('end');
    await sampler.stop();
    loads.end = loadavg();

    const queueDispatchLag = sampler.summary('queue-dispatch');
    const queueDrainLag = sampler.summary('queue-drain');
    const phases = Object.fromEntries(
      [...new Set(sampler.samples.map((x) => x.phase))].map((p) => [p, sampler.summary(p)]),
    );
    const natsLat = nats.result ? [...nats.result.latenciesMs].sort((a, b) => a - b) : [];
    const e2eSorted = [...e2e.latenciesMs].sort((a, b) => a - b);
    const natsBurstRate = nats.result ? nats.result.burst.tasks / nats.result.burst.seconds : null;

    const gLoad = `${s.jobs} jobs × ${s.members} members (${workerTasks} worker tasks) submitted at once; ${WORKERS} workers, 1 slot each`;
    const gQueue = `${queued} train tasks queued at once (${s.queueJobs} jobs × ${s.queueMembers} members, no worker running), then ${WORKERS} workers`;
    const gDispatch = 'Dispatch latency on loopback: task published → task started on an idle worker';
    const gLag =
      'Event-loop lag: the coordinator against an idle Node process measured over the same 200 ms windows (the machine’s share)';
    const lagTarget = { label: `target < ${LAG_TARGET_MS} ms`, value: LAG_TARGET_MS };
    const dispatchTarget = { label: `target ≤ ${DISPATCH_TARGET_MS} ms`, value: DISPATCH_TARGET_MS };
    const figures: Figure[] = [
      figure({
        id: 'load.jobs-done',
        group: gLoad,
        label: 'jobs done',
        value: consistency.jobsDone,
        unit: 'jobs',
        baseline: { label: 'jobs submitted', value: consistency.jobs },
        higherIsBetter: true,
        ...(finished ? {} : { note: `not all ended within ${s.loadTimeoutMs / 1000} s` }),
      }),
      figure({
        id: 'load.tasks-once',
        group: gLoad,
        label: 'tasks done exactly once (attempt 1, one final result message each)',
        value: consistency.tasksOnce,
        unit: 'tasks',
        baseline: { label: 'tasks planned', value: consistency.tasksPlanned },
        higherIsBetter: true,
      }),
      figure({
        id: 'load.reports',
        group: gLoad,
        label: `reports listing all ${s.members} members`,
        value: consistency.reportsComplete,
        unit: 'reports',
        baseline: { label: 'jobs submitted', value: consistency.jobs },
        higherIsBetter: true,
      }),
      figure({
        id: 'load.throughput',
        group: gLoad,
        label: 'worker tasks per second, first submission → last job done',
        value: workerTasks / loadWallSeconds,
        unit: 'tasks/s',
        baseline: {
          label: `one ${s.members}-member job alone`,
          value: (single.tasks - 1) / singleSeconds,
        },
        higherIsBetter: true,
      }),
      ...PRIORITIES.map((priority) =>
        figure({
          id: `load.priority.${priority}`,
          group: gLoad,
          label: `${priority}-priority jobs: median seconds from submission to done (${byClass[priority].jobs} jobs; slowest ${byClass[priority].maxSeconds?.toFixed(1) ?? '?'} s)`,
          value: byClass[priority].medianSeconds,
          unit: 's',
          baseline: { label: 'every job of the load', value: byClass.all.medianSeconds },
          higherIsBetter: false,
        }),
      ),
      figure({
        id: 'load.peak-rss',
        group: gLoad,
        label: 'coordinator peak resident memory during the load (VmHWM)',
        value: peakReset ? loadMemory.peakMB : (phases.load?.rssMaxMB ?? null),
        unit: 'MB',
        baseline: { label: 'idle coordinator (VmRSS before any job)', value: idle.rssMB },
        higherIsBetter: false,
      }),
      figure({
        id: 'load.lag-max',
        group: gLoad,
        label: 'coordinator event-loop lag, worst over the load',
        value: loadLag.lagMaxMs,
        unit: 'ms',
        baseline: lagTarget,
        higherIsBetter: false,
      }),
      figure({
        id: 'load.queue.dispatch-rate',
        group: gQueue,
        label:
          'tasks made ready for the workers per second by the coordinator (submission → all held back for a place or on the work queue)',
        value: queueDispatched / queueDispatchSeconds,
        unit: 'tasks/s',
        baseline: { label: `${queued} bare JetStream publishes at once`, value: natsBurstRate },
        higherIsBetter: true,
        ...(queueDispatched < queued ? { note: `only ${queueDispatched} of ${queued} queued` } : {}),
      }),
      figure({
        id: 'load.queue.lag-dispatch',
        group: gQueue,
        label: `coordinator event-loop lag, worst while ${queued} tasks were dispatched`,
        value: queueDispatchLag.lagMaxMs,
        unit: 'ms',
        baseline: lagTarget,
        higherIsBetter: false,
      }),
      figure({
        id: 'load.queue.lag-drain',
        group: gQueue,
        label: `coordinator event-loop lag, worst while the workers drained the queue (${tasksDrained} results in ${drainSeconds.toFixed(0)} s from the workers' start)`,
        value: queueDrainLag.lagMaxMs,
        unit: 'ms',
        baseline: lagTarget,
        higherIsBetter: false,
      }),
      ...(
        [
          ['load', loadLag, `the ${s.jobs}-job load`],
          ['queue-dispatch', queueDispatchLag, `the dispatch of ${queued} queued tasks`],
          ['queue-drain', queueDrainLag, 'the drain of the queue'],
        ] as const
      ).map(([id, lag, what]) =>
        figure({
          id: `load.lag-vs-idle.${id}`,
          group: gLag,
          label: `coordinator, worst over ${what} (${lag.windowsOver} of ${lag.samples} windows ≥ ${LAG_TARGET_MS} ms; idle process: ${lag.controlWindowsOver})`,
          value: lag.lagMaxMs,
          unit: 'ms',
          baseline: { label: 'an idle Node process, same windows', value: lag.controlMaxMs },
          higherIsBetter: false,
        }),
      ),
      figure({
        id: 'load.dispatch.nats',
        group: gDispatch,
        label: `NATS level: js.publish → the waiting pull (pullOne) receives it, median of ${natsLat.length}`,
        value: natsLat.length > 0 ? median(natsLat) : null,
        unit: 'ms',
        baseline: dispatchTarget,
        higherIsBetter: false,
        ...(nats.ok ? {} : { note: nats.error ?? 'no result' }),
      }),
      figure({
        id: 'load.dispatch.e2e',
        group: gDispatch,
        label: `through Chorus: coordinator marks the task running → worker logs "delivery 1 started", median of ${e2eSorted.length}`,
        value: e2eSorted.length > 0 ? median(e2eSorted) : null,
        unit: 'ms',
        baseline: dispatchTarget,
        higherIsBetter: false,
      }),
    ];
    return {
      title,
      figures,
      details: {
        sizes: s,
        workers: WORKERS,
        loadAverages: loads,
        idle: { memory: idle, lag: idleLag, startupLag: sampler.summary('startup') },
        single: { jobId: single.jobId, tasks: single.tasks, seconds: singleSeconds },
        load: {
          finished,
          submitSeconds,
          wallSeconds: loadWallSeconds,
          workerTasks,
          coordinatorCpuSeconds: loadCpuSeconds,
          memory: loadMemory,
          peakFrom: peakReset ? 'VmHWM (reset before the load)' : 'largest VmRSS sample',
          lag: loadLag,
          completionByClass: byClass,
          consistency: consistency satisfies LoadConsistency,
        },
        dispatch: {
          e2e: {
            latenciesMs: e2e.latenciesMs,
            p90Ms: quantile(e2eSorted, 0.9),
            maxMs: e2eSorted.at(-1) ?? null,
            missing: e2e.missing,
          },
          nats: nats.result
            ? {
                medianMs: median(natsLat),
                p90Ms: quantile(natsLat, 0.9),
                p99Ms: quantile(natsLat, 0.99),
                maxMs: natsLat.at(-1) ?? null,
                pubAckMedianMs: median(nats.result.pubAckMs),
                rttMs: nats.result.rttMs,
                burst: nats.result.burst,
              }
            : { error: nats.error ?? 'no result' },
        },
        queue: {
          queued,
          dispatched: queueDispatched,
          submitSeconds: queueSubmitSeconds,
          dispatchSeconds: queueDispatchSeconds,
          drainedAll: drained,
          workersStartSeconds,
          drainSeconds,
          tasksDrained,
          leftOnQueue,
          cancelSeconds,
          memory: queueMemory,
          lagDispatch: queueDispatchLag,
          lagDrain: queueDrainLag,
        },
        phases,
      },
    };
  } finally {
    await sampler.stop();
    await cluster.stop();
  }
};

/** The load phase's classes: high, normal, low in turn. */
function loadPriority(i: number): Priority {
  return PRIORITIES[i % PRIORITIES.length] ?? 'normal';
}

interface ClassCompletion {
  jobs: number;
  /** Seconds from a job's submission to its end, over the class's jobs that ended. */
  medianSeconds: number | null;
  maxSeconds: number | null;
  seconds: number[];
}

/** Each class's completion times (submission → done, from the job records), and all jobs'. */
async function completionByClass(
  cluster: LoadCluster,
  jobs: readonly SubmittedJob[],
): Promise<Record<Priority | 'all', ClassCompletion>> {
  const records = await Promise.all(jobs.map((j) => cluster.jobRecord(j.jobId)));
  const of = (keep: (i: number) => boolean): ClassCompletion => {
    const seconds = records
      .filter((r, i) => keep(i) && r?.finishedAt !== undefined)
      .map((r) => ((r?.finishedAt ?? 0) - (r?.submittedAt ?? 0)) / 1000)
      .sort((a, b) => a - b);
    return {
      jobs: jobs.filter((_, i) => keep(i)).length,
      medianSeconds: seconds.length > 0 ? median(seconds) : null,
      maxSeconds: seconds.at(-1) ?? null,
      seconds,
    };
  };
  return {
    high: of((i) => loadPriority(i) === 'high'),
    normal: of((i) => loadPriority(i) === 'normal'),
    low: of((i) => loadPriority(i) === 'low'),
    all: of(() => true),
  };
}

/**
 * Submits one-member jobs one at a time (every worker idle) and pairs each task's `startedAt` (set by
 * the coordinator's scheduler just before it writes the dispatch to KV and publishes the message) with
 * the time a worker logged `<task>: delivery 1 started` (after it pulled the message, read the job and
 * task records from KV and sent its first heartbeat; before it loads data and runs the handler).
 */
async function dispatchLatencies(
  cluster: LoadCluster,
  n: number,
): Promise<{ latenciesMs: number[]; missing: number }> {
  const api = cluster.api();
  const latenciesMs: number[] = [];
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const from = cluster.workers.map((w) => w.outputLines().length);
    const job = await api.submitJob(loadJob(`dispatch-${i}`, 1, 3000 + i), `dispatch-${i}.yaml`, [], {
      fresh: true,
    });
    if (!(await cluster.waitForJobs([job.jobId], 60_000))) {
      missing++;
      continue;
    }
    const status = await api.getJob(job.jobId);
    for (const t of status.tasks) {
      if (t.type === 'report' || t.startedAt === undefined) continue;
      const re = new RegExp(`^(\\S+) worker: ${escapeRe(t.id)}: delivery 1 started \\(dispatch`);
      let started: number | undefined;
      cluster.workers.forEach((w, k) => {
        for (const line of w.outputLines().slice(from[k] ?? 0)) {
          const m = re.exec(line);
          if (m?.[1]) started = Date.parse(m[1]);
        }
      });
      if (started === undefined) missing++;
      else latenciesMs.push(started - t.startedAt);
    }
  }
  return { latenciesMs, missing };
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
