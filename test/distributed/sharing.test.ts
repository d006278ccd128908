import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobSummary } from '../../cluster/api/apiTypes.ts';
import { connectCoordinator } from '../../cluster/client/coordinatorConnection.ts';
import { generateToken, hashToken, tokenEntryLine } from '../../cluster/grpc/authTokens.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { membersJob } from './jobs.ts';

/**
 * Several jobs on one real cluster (nats-server, coordinator, two one-slot workers): the coordinator
 * holds each job's ready tasks and publishes a window of them (slots + 1 here), by priority class,
 * then fair share, within each client's quota (docs/distributed.md, "Sharing the cluster").
 */

/** Samples every job's summary until `done` says stop (summaries come from one ListJobs each). */
async function sample(
  list: () => Promise<JobSummary[]>,
  done: (jobs: JobSummary[]) => boolean,
  timeoutMs = 180_000,
): Promise<JobSummary[][]> {
  const samples: JobSummary[][] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await list();
    samples.push(jobs);
    if (done(jobs)) return samples;
    if (Date.now() > deadline) throw new Error(`timed out; last sample ${JSON.stringify(jobs)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Ready tasks the coordinator still holds back (not on the work queue, not running). */
function heldBack(j: JobSummary): number {
  return j.counts.queued + j.counts.running - j.slots;
}

const ended = (jobs: JobSummary[], ids: readonly string[]) =>
  ids.every((id) => {
    const state = jobs.find((j) => j.jobId === id)?.state;
    return state !== undefined && state !== 'running' && state !== 'queued';
  });

test('a small high-priority job submitted after a large low-priority one finishes first, while the large one still has tasks queued', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2 });
  const large = await cluster.submit(
    await cluster.jobFile('large.yaml', membersJob('large-low', { member: 'big', replicas: 12, epochs: 2 })),
    { priority: 'low' },
  );
  await cluster.waitForJob(large, (s) => s.counts.running > 0, 'the large job to run');
  const small = await cluster.submit(
    await cluster.jobFile(
      'small.yaml',
      membersJob('small-high', { member: 'small', replicas: 1, epochs: 1 }),
    ),
    { priority: 'high' },
  );
  const end = await cluster.waitForEnd(small);
  assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
  assert.equal(end.priority, 'high');
  const largeNow = await cluster.api().getJob(large);
  assert.equal(largeNow.state, 'running', 'the large job is not over');
  assert.equal(largeNow.priority, 'low');
  assert.ok(
    largeNow.counts.queued + largeNow.counts.pending >= 12,
    `the large job still has most of its 25 tasks to run: ${JSON.stringify(largeNow.counts)}`,
  );
  assert.ok(largeNow.slots >= 1, 'it holds slots while it runs');
  await cluster.api().cancelJob(large);
  // What `chorus jobs` and `status` show: each job's class (slots only while a job runs).
  const listed = await cluster.cli(t, ['jobs']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /priority\s+client\s+slots/);
  assert.match(listed.stdout, new RegExp(`${large}\\s+large-low\\s+cancelled\\s+low\\s+-\\s+-`));
  assert.match(listed.stdout, new RegExp(`${small}\\s+small-high\\s+done\\s+high\\s+-\\s+-`));
  const status = await cluster.cli(t, ['status', small]);
  assert.match(status.stdout, /: done; priority high; 3 done/);
});

test('two equal jobs submitted together hold slots within one of each other through the run', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2 });
  const file = (name: string) =>
    cluster.jobFile(`${name}.yaml`, membersJob(name, { replicas: 6, epochs: 1 }));
  const [a, b] = await Promise.all([
    cluster.submit(await file('twin-a')),
    cluster.submit(await file('twin-b')),
  ]);
  const ids = [a, b] as const;
  const samples = await sample(
    () => cluster.api().listJobs(),
    (jobs) => ended(jobs, ids),
  );
  let contested = 0;
  let starved = 0;
  // The first places can all go to the job whose submission was parsed first, before the other is
  // known; they are on the work queue, so the share is judged from when both jobs have had a task run.
  let bothStarted = false;
  for (const jobs of samples) {
    const [ja, jb] = ids.map((id) => jobs.find((j) => j.jobId === id));
    if (!ja || !jb || ja.state !== 'running' || jb.state !== 'running') continue;
    const started = (j: JobSummary) => j.counts.running + j.counts.done > 0;
    bothStarted ||= started(ja) && started(jb);
    if (!bothStarted) continue;
    // Only while both have tasks held back does the share decide anything.
    if (heldBack(ja) <= 0 || heldBack(jb) <= 0) continue;
    contested++;
    assert.ok(
      Math.abs(ja.slots - jb.slots) <= 1,
      `slots ${ja.slots} and ${jb.slots} (${JSON.stringify(jobs)})`,
    );
    // A sample can fall between a task's end and the grant of its place to the next one (the listing
    // reads task states from KV): a job at 0 then is a moment, not starvation.
    if (ja.slots === 0 || jb.slots === 0) starved++;
  }
  assert.ok(contested >= 5, `the jobs competed in ${contested} of ${samples.length} samples`);
  assert.ok(starved <= contested / 5, `a job held no slot in ${starved} of ${contested} contested samples`);
  for (const id of ids) assert.equal((await cluster.api().getJob(id)).state, 'done');
});

test('a client at its quota never holds more slots; another client takes the rest', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-quota-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const teamA = generateToken();
  const teamB = generateToken();
  const workers = generateToken();
  const tokensFile = join(dir, 'tokens.yaml');
  await writeFile(
    tokensFile,
    [
      'tokens:',
      tokenEntryLine({ name: 'team-a', role: 'client', sha256: hashToken(teamA), maxSlots: 1 }),
      tokenEntryLine({ name: 'team-b', role: 'client', sha256: hashToken(teamB) }),
      tokenEntryLine({ name: 'workers', role: 'worker', sha256: hashToken(workers) }),
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'worker.token'), `${workers}\n`);
  const cluster = await Cluster.start(t, {
    workers: 2,
    coordinatorArgs: ['--auth-tokens', tokensFile],
    workerArgs: ['--token-file', join(dir, 'worker.token')],
    clientToken: teamB,
  });
  const a = connectCoordinator(cluster.grpcAddress, { token: teamA, deadlineMs: 15_000 });
  t.after(() => a.close());
  const jobText = (name: string) => membersJob(name, { replicas: 4, epochs: 1 });
  // team-a first, with two jobs: its quota covers both.
  const a1 = (await a.submitJob(jobText('quota-a1'), 'a1.yaml', [], { fresh: true })).jobId;
  const a2 = (await a.submitJob(jobText('quota-a2'), 'a2.yaml', [], { fresh: true })).jobId;
  const b = await cluster.submit(await cluster.jobFile('b.yaml', jobText('quota-b')));
  const samples = await sample(
    () => cluster.api().listJobs(),
    (jobs) => ended(jobs, [a1, a2, b]),
  );
  let bHeldTwo = false;
  for (const jobs of samples) {
    const ofA = jobs.filter((j) => j.client === 'team-a');
    assert.equal(ofA.length, 2);
    const heldByA = ofA.reduce((n, j) => n + j.slots, 0);
    const runningOfA = ofA.reduce((n, j) => n + j.counts.running, 0);
    assert.ok(
      heldByA <= 1 && runningOfA <= 1,
      `team-a holds ${heldByA}, runs ${runningOfA}: ${JSON.stringify(ofA)}`,
    );
    if ((jobs.find((j) => j.jobId === b)?.slots ?? 0) >= 2) bHeldTwo = true;
  }
  assert.ok(bHeldTwo, 'team-b, without a quota, held more than one slot at a time');
  for (const id of [a1, a2, b]) assert.equal((await cluster.api().getJob(id)).state, 'done');
});
