/**
 * The load section's lines in BENCHMARKS.md: summary bullets with the issue's targets checked, and
 * notes saying exactly what was measured. Generated from bench/results.json like the rest of the page.
 */
import type { Figure, Section } from './benchResults.ts';
import { DISPATCH_TARGET_MS, LAG_TARGET_MS } from './loadTargets.ts';

type ById = ReadonlyMap<string, Figure>;

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;

export function loadSummary(byId: ById): string[] {
  const out: string[] = [];
  const f = (id: string) => byId.get(id);
  const jobs = f('load.jobs-done');
  const tasks = f('load.tasks-once');
  const reports = f('load.reports');
  if (jobs?.value != null && tasks?.value != null && reports?.value != null) {
    const consistent = jobs.ratio === 1 && tasks.ratio === 1 && reports.ratio === 1;
    const tp = f('load.throughput');
    const rss = f('load.peak-rss');
    out.push(
      `- Load, ${jobs.baseline?.value ?? '?'} jobs at once through one coordinator and 4 workers: ${jobs.value}/${jobs.baseline?.value} done, ` +
        `${tasks.value}/${tasks.baseline?.value} tasks done exactly once, ${reports.value}/${reports.baseline?.value} complete reports ` +
        `(consistent state: ${consistent ? 'yes' : 'NO'})` +
        (tp?.value != null && tp.ratio !== null
          ? `; ${tp.value.toFixed(1)} tasks/s, ${tp.ratio.toFixed(2)}× one job alone`
          : '') +
        (rss?.value != null
          ? `; coordinator peak memory ${rss.value.toFixed(0)} MB` +
            (rss.baseline?.value != null ? ` (idle: ${rss.baseline.value.toFixed(0)} MB)` : '')
          : '') +
        '.',
    );
  }
  const classes = (['high', 'normal', 'low'] as const).map((p) => [p, f(`load.priority.${p}`)] as const);
  if (classes.every(([, c]) => c?.value != null)) {
    out.push(
      `- Mixed priorities in that load (classes in turn), median seconds from submission to done: ` +
        classes.map(([p, c]) => `${p} ${c?.value?.toFixed(1) ?? '?'} s`).join(', ') +
        ` (all jobs: ${classes[0]?.[1]?.baseline?.value?.toFixed(1) ?? '?'} s).`,
    );
  }
  const queued = f('load.queue.lag-dispatch')?.label.match(/while (\d+) tasks/)?.[1];
  const lags = [
    ['load', 'under that load'],
    [
      'queue-dispatch',
      `while ${queued ? Number(queued).toLocaleString('en-US') : 'the'} queued tasks were dispatched`,
    ],
    ['queue-drain', 'while the workers drained them'],
  ] as const;
  const seen: { what: string; value: number; control: number | null }[] = [];
  for (const [id, what] of lags) {
    const lag = f(`load.lag-vs-idle.${id}`);
    if (lag?.value != null) seen.push({ what, value: lag.value, control: lag.baseline?.value ?? null });
  }
  if (seen.length > 0) {
    const worst = Math.max(...seen.map((x) => x.value));
    const over = seen.filter((x) => x.value >= LAG_TARGET_MS);
    // Over the target while an idle process on the same machine stayed under it: the coordinator's own work.
    const own = over.filter((x) => x.control !== null && x.control < LAG_TARGET_MS);
    const machine = over.filter((x) => x.control !== null && x.control >= LAG_TARGET_MS);
    const list = (xs: typeof seen) => {
      const text = xs.map((x) => x.what).join(' and ');
      return `${text.charAt(0).toUpperCase()}${text.slice(1)},`;
    };
    out.push(
      `- Coordinator event-loop lag, worst 200 ms window (target < ${LAG_TARGET_MS} ms: ${worst < LAG_TARGET_MS ? 'met' : 'missed'}): ` +
        seen
          .map(
            (x, i) =>
              `${ms(x.value)} ${x.what} (${i === 0 ? 'an idle Node process alongside' : 'idle process'}: ${x.control !== null ? ms(x.control) : '?'})`,
          )
          .join(', ') +
        '.' +
        (own.length > 0
          ? ` ${list(own)} the idle process stayed under the target, so that lag is the coordinator's own work.`
          : '') +
        (machine.length > 0
          ? ` ${list(machine)} the idle process also passed it: part of that lag is CPU the machine did not give.`
          : ''),
    );
  }
  const nats = f('load.dispatch.nats');
  const e2e = f('load.dispatch.e2e');
  if (nats?.value != null || e2e?.value != null) {
    const worst = Math.max(nats?.value ?? 0, e2e?.value ?? 0);
    out.push(
      `- Dispatch latency to an idle worker, median: ${nats?.value != null ? `${ms(nats.value)} at the NATS level` : 'NATS level not measured'}, ` +
        `${e2e?.value != null ? `${ms(e2e.value)} through Chorus` : 'through Chorus not measured'} (target ≤ ${DISPATCH_TARGET_MS} ms: ` +
        `${worst <= DISPATCH_TARGET_MS ? 'met' : 'missed'}).`,
    );
  }
  return out;
}

interface LoadDetails {
  sizes?: { jobs: number; members: number; queueJobs: number; queueMembers: number; drainMs: number };
  workers?: number;
  load?: { wallSeconds: number; workerTasks: number; coordinatorCpuSeconds: number; peakFrom: string };
  queue?: {
    queued: number;
    dispatched: number;
    dispatchSeconds: number;
    drainedAll: boolean;
    workersStartSeconds: number;
    drainSeconds: number;
    tasksDrained: number;
    leftOnQueue: number;
    cancelSeconds: number;
    memory?: { peakMB: number };
  };
  dispatch?: {
    e2e?: { latenciesMs: number[]; p90Ms: number | null; maxMs: number | null };
    nats?: { p90Ms?: number | null; p99Ms?: number | null; pubAckMedianMs?: number; rttMs?: number };
  };
}

export function loadNotes(section: Section): string[] {
  const d = section.details as LoadDetails;
  if (!d.sizes || !d.load || !d.queue) return [];
  const { sizes, load, queue } = d;
  const out: string[] = [];
  out.push(
    `Everything runs as separate processes on this machine: nats-server (JetStream, file store), one \`chorus coordinator\`, ` +
      `${d.workers ?? 4} \`chorus worker --slots 1\`. Each job trains ${sizes.members} one-epoch members (dense 4 units, 200 synthetic ` +
      'samples) and votes (hard, soft): orchestration load, not ML. The bench watches job state in NATS KV directly, so that ' +
      'watching does not load the coordinator; consistency is then checked through the API (getJob: every task `done` at attempt 1; ' +
      'getReport: every member listed) and on the result stream (one final, first-delivery result per worker task).',
    '',
    `The ${sizes.jobs} jobs took ${load.wallSeconds.toFixed(1)} s from the first submission to the last job done ` +
      `(${load.workerTasks} worker tasks); the coordinator used ${load.coordinatorCpuSeconds.toFixed(1)} CPU-s meanwhile. ` +
      `Peak memory: ${load.peakFrom}, from /proc/<pid>/status.`,
    '',
    `Queue: with no worker running, ${sizes.queueJobs} jobs × ${sizes.queueMembers} members were submitted at once; ` +
      `${queue.dispatched} train tasks were ready ${queue.dispatchSeconds.toFixed(1)} s after the first submission ` +
      `(the coordinator writes each task's record to KV and holds it for a place in the work queue's window: connected ` +
      `slots plus a margin, one task with no worker connected). Then ${d.workers ?? 4} workers were ` +
      `started (all up after ${queue.workersStartSeconds.toFixed(0)} s; each pulls as soon as it is up) and drained the queue ` +
      (queue.drainedAll
        ? `completely: ${queue.tasksDrained} results ${queue.drainSeconds.toFixed(0)} s after the start.`
        : `for ${queue.drainSeconds.toFixed(0)} s from their start (${queue.tasksDrained} results; ${queue.leftOnQueue} tasks still waiting: train tasks not yet taken, and the predict tasks that finished ones released), ` +
          `after which the jobs were cancelled (${queue.cancelSeconds.toFixed(1)} s for all): running every task of this ` +
          `phase to the end (${2 * queue.queued} worker tasks) would take about ${
            queue.tasksDrained > 0
              ? `${Math.ceil((2 * queue.queued * queue.drainSeconds) / queue.tasksDrained / 60)} min at the rate seen`
              : 'longer than the suite allows'
          }.`) +
      (queue.memory ? ` Coordinator peak memory in this phase: ${queue.memory.peakMB.toFixed(0)} MB.` : ''),
    '',
    'Event-loop lag is `nodejs_eventloop_lag_max_seconds` from the coordinator’s /metrics (prom-client: a ' +
      '`monitorEventLoopDelay` histogram at 10 ms resolution, reset at every scrape), scraped every 200 ms; each scrape is the ' +
      'worst delay since the previous one, and an idle loop reads ≈ 10 ms. The control is an idle Node process started by the ' +
      'bench that reads the same histogram over the same windows: lag it shows is the machine’s scheduling.',
    '',
  );
  const e2e = d.dispatch?.e2e;
  const nats = d.dispatch?.nats;
  out.push(
    'Dispatch latency, NATS level: a stand-alone script with the real streams and consumer (`ensureResources`) holds the ' +
      'worker’s pull (`pullOne`) open; another connection publishes a task message; sample = `js.publish` called → message ' +
      'received and decoded' +
      (nats?.p90Ms != null ? ` (p90 ${ms(nats.p90Ms)}, p99 ${ms(nats.p99Ms ?? NaN)}` : '') +
      (nats?.pubAckMedianMs != null ? `; the publish's own ack: median ${ms(nats.pubAckMedianMs)}` : '') +
      (nats?.rttMs != null ? `; a NATS ping: ${ms(nats.rttMs)}` : '') +
      (nats?.p90Ms != null ? ')' : '') +
      '. Through Chorus: one-member jobs submitted one at a time to the 4 idle workers; sample = the task’s `startedAt` ' +
      '(the coordinator’s scheduler, just before it records the dispatch in KV and publishes it) → the worker’s log line ' +
      '`<task>: delivery 1 started` (after it pulled the message, read the job and task records from KV and sent its first ' +
      'heartbeat; before loading data and running the handler). Both are wall-clock milliseconds on the same machine' +
      (e2e
        ? `; ${e2e.latenciesMs.length} samples (train and predict tasks), p90 ${ms(e2e.p90Ms ?? NaN)}, max ${ms(e2e.maxMs ?? NaN)}.`
        : '.'),
    '',
  );
  return out;
}
