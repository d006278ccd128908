import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { JobStatus, WorkerInfo } from '../../cluster/api/apiTypes.ts';
import { MultiHostCluster } from './multiHostCluster.ts';
import { whyNoNamespaces } from './namespaceSupport.ts';
import type { NsProcess } from './nsProcess.ts';
import { sweepLeftovers } from './sweepLeftovers.ts';

/**
 * Several hosts: nats-server, the coordinator and two workers each in a network namespace of its
 * own, joined by a bridge. The link of the worker training a member is cut mid-task (its TCP
 * connections stay open but carry nothing, as when a cable is pulled): JetStream hands the task to
 * the other worker, which resumes from the epoch checkpoint. When the link heals, whatever the cut
 * worker still had to say about its superseded delivery must change nothing.
 *
 * Runs as root (as CI does); skips, loudly, only where network namespaces cannot be created.
 */

/** Short, so that the redelivery comes quickly; workers heartbeat every AckWait/3. */
const ACK_WAIT_MS = 2000;
const WORKERS = ['w1', 'w2'] as const;
/** Bounds for every wait: generous for a loaded 2-core machine, short enough to fail fast. */
const REDELIVERY_TIMEOUT_MS = 30_000;
const JOB_TIMEOUT_MS = 90_000;
const RECONNECT_TIMEOUT_MS = 40_000;

let cluster: MultiHostCluster | undefined;
let unavailable: string | undefined;

before(
  async () => {
    unavailable = await whyNoNamespaces();
    // Where the tests must run (CI as root), unavailability is a failure, not a skip.
    if (unavailable && process.env.CHORUS_REQUIRE_NETNS)
      throw new Error(`CHORUS_REQUIRE_NETNS is set but network namespaces are unavailable: ${unavailable}`);
    if (unavailable) {
      process.stderr.write(
        `\n${'!'.repeat(78)}\n!!! NETWORK NAMESPACES UNAVAILABLE: ${unavailable}\n` +
          `!!! The multi-host tests (test/multihost) are SKIPPED on this machine: run them as root.\n${'!'.repeat(78)}\n\n`,
      );
      return;
    }
    const swept = await sweepLeftovers();
    if (swept.length > 0)
      process.stderr.write(`removed what an earlier run left behind: ${swept.join(', ')}\n`);
    cluster = await MultiHostCluster.start({
      workers: WORKERS,
      coordinatorArgs: ['--ack-wait-ms', String(ACK_WAIT_MS)],
    });
  },
  { timeout: 120_000 },
);

after(async () => {
  await cluster?.stop();
});

/** The cluster, or undefined after skipping the test (only where namespaces cannot be made). */
function lab(t: TestContext): MultiHostCluster | undefined {
  if (unavailable) {
    t.skip(`NETWORK NAMESPACES UNAVAILABLE: ${unavailable}`);
    return undefined;
  }
  assert.ok(cluster, 'the cluster started');
  return cluster;
}

test(
  "a worker cut off mid-task: the task moves to the other host and the job completes; the healed worker's late word changes nothing",
  { timeout: 240_000 },
  async (t) => {
    const c = lab(t);
    if (!c) return;
    const task = 'train:cut';
    const run = await startJob(c, jobText('netns-cut', 'cut', 10));
    const { victim, survivor } = await whoRuns(c, task);
    // Epoch 3 under way: epoch 1's checkpoint is written (epoch 2's may still be in flight).
    await run.progress(task, 3);

    await c.lab.cut(victim.host);
    // Healed whatever happens, so that a failure here leaves the next test a working network.
    t.after(() => c.lab.heal(victim.host));
    await survivor.process.waitForLine(new RegExp(`${task}: delivery 2 started`), REDELIVERY_TIMEOUT_MS);
    const events = await run.end();
    assert.equal(events.at(-1)?.type, 'report', c.logs());
    assert.ok(events.some((e) => e.type === 'job-done'));
    const trained = events.find((e) => e.type === 'task-done' && e.id === task);
    const resumedFrom = (trained?.result as { resumedFromEpoch?: number } | undefined)?.resumedFromEpoch ?? 0;
    assert.ok(resumedFrom >= 1, `the other worker resumed from a checkpoint (epoch ${resumedFrom})`);
    const done = await status(c, run.jobId);
    assert.equal(done.state, 'done');
    assert.ok(done.tasks.every((x) => x.state === 'done'));
    const report = await reportOf(c, run.jobId);
    assert.deepEqual(report, events.at(-1)?.report);

    // Heal, and wait until the cut worker is heard again (a fresh heartbeat in KV): everything it
    // queued during the cut, sent on the same connection before that heartbeat, has arrived.
    const healedAt = Date.now();
    await c.lab.heal(victim.host);
    await heardFrom(c, victim.workerId, healedAt);
    await new Promise((resolve) => setTimeout(resolve, 2 * ACK_WAIT_MS));

    // The cut worker gave its superseded delivery up: it neither finished it nor handed it back.
    await victim.process.waitForLine(new RegExp(`${task}: delivery 1 abandoned`), 1000);
    assert.doesNotMatch(victim.process.log(), new RegExp(`${task}: delivery 1 (done|failed)`));
    // Nothing ran the task a third time, and nothing changed: state, attempts, times, report.
    assert.doesNotMatch(c.logs(), new RegExp(`${task}: delivery 3`));
    assert.deepEqual(await status(c, run.jobId), done);
    assert.deepEqual(await reportOf(c, run.jobId), report);
    // A late result that still got out (a race with the cut) was the cut worker's, and ignored.
    const ignored = c.coordinator
      .log()
      .split('\n')
      .filter((l) => l.includes(`stale result of ${task}`));
    for (const line of ignored)
      assert.match(line, new RegExp(`delivery 1, worker ${escape(victim.workerId)}`));
    assertAllAlive(c);
  },
);

test(
  'a short blip: the link heals while the other worker still trains the task; the cut worker does not hand it back or run it again',
  { timeout: 240_000 },
  async (t) => {
    const c = lab(t);
    if (!c) return;
    const task = 'train:blip';
    // Enough epochs that the other worker is still training long after the link is back.
    const run = await startJob(c, jobText('netns-blip', 'blip', 30));
    const { victim, survivor } = await whoRuns(c, task);
    await run.progress(task, 2);

    await c.lab.cut(victim.host);
    t.after(() => c.lab.heal(victim.host));
    await survivor.process.waitForLine(new RegExp(`${task}: delivery 2 started`), REDELIVERY_TIMEOUT_MS);
    await c.lab.heal(victim.host);

    const events = await run.end();
    assert.equal(events.at(-1)?.type, 'report', c.logs());
    // The job took delivery 2's result: the cut worker neither finished delivery 1 nor handed it
    // back. (Before workers kept a lease on their delivery, it did one or the other once the link
    // was back: an ack or a nak of the superseded delivery acts on delivery 2's message, as
    // JetStream does not tell them apart; a nak has it delivered a third time while delivery 2 runs.)
    await survivor.process.waitForLine(new RegExp(`${task}: delivery 2 done`), 5000);
    await victim.process.waitForLine(new RegExp(`${task}: delivery 1 abandoned`), 1000);
    assert.doesNotMatch(victim.process.log(), new RegExp(`${task}: delivery 1 (done|failed)`));
    assert.doesNotMatch(c.logs(), new RegExp(`${task}: delivery 3`), c.logs());
    const done = await status(c, run.jobId);
    assert.equal(done.state, 'done');
    assert.ok(done.tasks.every((x) => x.state === 'done'));
    assertAllAlive(c);
  },
);

/** A one-member job whose only train task takes a few seconds (a fraction of a second per epoch). */
function jobText(name: string, member: string, epochs: number): string {
  return `
name: ${name}
seed: 7
data:
  train: { format: synthetic, count: 3000, features: 16, classes: 3, separation: 1.5, seed: 7, sampleSeed: 1 }
  test: { format: synthetic, count: 200, features: 16, classes: 3, separation: 1.5, seed: 7, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - name: ${member}
    layers: [{ type: dense, units: 32, activation: relu }]
    train: { epochs: ${epochs}, batchSize: 16, learningRate: 0.01 }
ensemble:
  methods: [hard, soft]
runtime:
  backend: wasm
  checkpointSeconds: 0 # every epoch: the test kills a worker mid-training and expects a resume
`;
}

/** One line of `chorus submit --wait --json`. */
interface SubmitEvent {
  type: string;
  jobId?: string;
  id?: string;
  progress?: { epoch?: number };
  result?: unknown;
  report?: unknown;
}

interface JobRun {
  jobId: string;
  /** Waits until the task reports progress in this epoch (or a later one). */
  progress(taskId: string, epoch: number): Promise<void>;
  /** Waits for `submit --wait` to exit successfully; its JSON events. */
  end(): Promise<SubmitEvent[]>;
}

/** `chorus submit job.yaml --wait --json` on the coordinator's host, followed line by line. */
async function startJob(c: MultiHostCluster, text: string): Promise<JobRun> {
  const name = /name: (\S+)/.exec(text)?.[1] ?? 'job';
  const file = await c.jobFile(`${name}.yaml`, text);
  const submit = c.chorus(`submit ${name}`, ['submit', file, '--wait', '--json', '--fresh']);
  const events = () => parseEvents(submit);
  const submitted = await submit.waitForLine(/"type":"submitted"/, 60_000);
  const jobId = (JSON.parse(submitted.input) as SubmitEvent).jobId ?? '';
  return {
    jobId,
    progress: async (taskId, epoch) => {
      await submit.waitForLine(new RegExp(`"type":"task-progress","id":"${escape(taskId)}"`), 60_000);
      const deadline = Date.now() + 60_000;
      while (
        !events().some(
          (e) => e.type === 'task-progress' && e.id === taskId && (e.progress?.epoch ?? 0) >= epoch,
        )
      ) {
        if (Date.now() > deadline || !submit.running)
          throw new Error(`${taskId} did not reach epoch ${epoch}\n${c.logs()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    end: async () => {
      const exit = await submit.waitForExit(JOB_TIMEOUT_MS);
      assert.equal(exit.code, 0, `chorus submit --wait exited with ${exit.code}\n${c.logs()}`);
      return events();
    },
  };
}

function parseEvents(p: NsProcess): SubmitEvent[] {
  return p
    .outputLines()
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as SubmitEvent);
}

interface Host {
  host: string;
  process: NsProcess;
  workerId: string;
}

/** The worker that took the task's first delivery, and the other one. */
async function whoRuns(c: MultiHostCluster, taskId: string): Promise<{ victim: Host; survivor: Host }> {
  const started = new RegExp(`${escape(taskId)}: delivery 1 started`);
  const hosts = [...c.workers.entries()].map(([host, p]) => ({ host, process: p, workerId: workerIdOf(p) }));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const victim = hosts.find((h) => started.test(h.process.log()));
    const survivor = hosts.find((h) => h !== victim);
    if (victim && survivor) return { victim, survivor };
    if (Date.now() > deadline) throw new Error(`no worker started ${taskId}\n${c.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function workerIdOf(p: NsProcess): string {
  const id = /worker (\S+) ready/.exec(p.log())?.[1];
  assert.ok(id, `${p.name} logged its id`);
  return id;
}

/** `chorus status JOB --json`, parsed. */
async function status(c: MultiHostCluster, jobId: string): Promise<JobStatus> {
  return JSON.parse(await c.chorusOutput(['status', jobId, '--json'])) as JobStatus;
}

/** The job's report, as `chorus watch JOB --json` prints it for a finished job. */
async function reportOf(c: MultiHostCluster, jobId: string): Promise<unknown> {
  const lines = (await c.chorusOutput(['watch', jobId, '--json'])).split('\n');
  const report = lines.map((l) => JSON.parse(l) as SubmitEvent).find((e) => e.type === 'report');
  assert.ok(report, `chorus watch printed the report of ${jobId}`);
  return report.report;
}

/** Waits (bounded) until `chorus workers` shows a heartbeat of the worker sent after `since`. */
async function heardFrom(c: MultiHostCluster, workerId: string, since: number): Promise<void> {
  const deadline = Date.now() + RECONNECT_TIMEOUT_MS;
  for (;;) {
    const workers = JSON.parse(await c.chorusOutput(['workers', '--json'])) as WorkerInfo[];
    if (workers.some((w) => w.workerId === workerId && w.lastSeen > since)) return;
    if (Date.now() > deadline)
      throw new Error(`worker ${workerId} not heard from after the link healed\n${c.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function assertAllAlive(c: MultiHostCluster): void {
  for (const p of [c.nats, c.coordinator, ...c.workers.values()]) {
    assert.ok(p.running, `${p.name} is still running\n${p.log()}`);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
