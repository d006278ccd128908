import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';
import { KvJobStore } from '../../coordinator/nats/kvJobStore.ts';
import { KvStateStore, isNewerTask } from '../../coordinator/nats/kvStateStore.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { startNatsServer } from '../support/natsServer.ts';
import type { NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from './prefix.ts';

let srv: NatsServer;
let nc: NatsConnection;
let res: NatsResources;
before(async () => {
  srv = await startNatsServer();
  nc = await connect({ servers: srv.url });
  res = await ensureResources(nc, { prefix: uniquePrefix() });
});
after(async () => {
  await nc.close();
  await srv.stop();
});

let jobCounter = 0;
const store = (jobId: string) => new KvStateStore(res.state, res.names, jobId);
const freshJob = () => `job-${++jobCounter}`;
const byId = (a: TaskRecord, b: TaskRecord) => a.id.localeCompare(b.id);

test('task records round-trip under encoded keys, one job at a time', async () => {
  const jobId = freshJob();
  const s = store(jobId);
  assert.deepEqual(await s.loadTasks(), []);
  const records: TaskRecord[] = [
    {
      id: 'train:m0',
      status: 'done',
      attempts: 1,
      startedAt: 1,
      finishedAt: 2,
      result: { type: 'predict', seconds: 1 },
    },
    { id: 'distill:s.t2', status: 'running', attempts: 2, startedAt: 3 },
    { id: 'report', status: 'pending', attempts: 0 },
  ];
  for (const r of records) await s.putTask(r);
  await store(freshJob()).putTask({ id: 'train:m0', status: 'failed', attempts: 3, error: 'other job' });

  const loaded = await store(jobId).loadTasks();
  assert.deepEqual(loaded.sort(byId), [...records].sort(byId));
  assert.ok(await res.state.get(`task.${jobId}.train=3Am0`), 'the key encodes ":"');
  assert.ok(await res.state.get(`task.${jobId}.distill=3As=2Et2`), 'the key encodes "."');
  assert.equal(await s.getTask('nope'), undefined);
});

test('a writer may move its own task back (retry, abort) but never un-finish a done task', async () => {
  const s = store(freshJob());
  await s.putTask({ id: 't', status: 'running', attempts: 2 });
  await s.putTask({ id: 't', status: 'pending', attempts: 2 }); // retryable failure
  assert.equal((await s.getTask('t'))?.status, 'pending');
  await s.putTask({ id: 't', status: 'running', attempts: 3 });
  await s.putTask({ id: 't', status: 'pending', attempts: 2 }); // abort: attempt given back
  assert.deepEqual(await s.getTask('t'), { id: 't', status: 'pending', attempts: 2 });
  await s.putTask({ id: 't', status: 'done', attempts: 3 });
  const refused = await s.putTaskIfNewer({ id: 't', status: 'running', attempts: 4 });
  assert.equal(refused.written, false);
  assert.equal(refused.current.status, 'done');
  assert.equal((await s.getTask('t'))?.status, 'done');
});

test('a stale writer cannot overwrite newer state; a racing writer that is not behind still lands', async () => {
  const jobId = freshJob();
  const fresh = store(jobId);
  const stale = store(jobId);
  await stale.loadTasks(); // its view: no task yet
  await fresh.putTask({ id: 'train:a', status: 'running', attempts: 1 });

  const r1 = await stale.putTaskIfNewer({ id: 'train:a', status: 'pending', attempts: 0 });
  assert.equal(r1.written, false, 'pending(0) from an outdated view must not replace running(1)');
  assert.deepEqual(r1.current, { id: 'train:a', status: 'running', attempts: 1 });
  // Still stale (it has not re-read): an older record is refused again...
  await stale.putTask({ id: 'train:a', status: 'pending', attempts: 1 });
  assert.equal((await fresh.getTask('train:a'))?.status, 'running');
  // ...but a record that is not older than the stored one is written despite the conflict.
  const r2 = await stale.putTaskIfNewer({ id: 'train:a', status: 'failed', attempts: 1, error: 'E: boom' });
  assert.equal(r2.written, true);
  assert.equal((await store(jobId).getTask('train:a'))?.error, 'E: boom');
  // fresh's view is now outdated in turn: its older write is refused...
  assert.equal(
    (await fresh.putTaskIfNewer({ id: 'train:a', status: 'running', attempts: 1 })).written,
    false,
  );
  // ...until it reads again: then its view is current and it may move the task back (a resume).
  await fresh.loadTasks();
  assert.equal((await fresh.putTaskIfNewer({ id: 'train:a', status: 'running', attempts: 1 })).written, true);
});

test('concurrent writers without a view converge on the newest record', async () => {
  const jobId = freshJob();
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      store(jobId).putTask({ id: 'x', status: 'running', attempts: i + 1 }),
    ),
  );
  assert.equal((await store(jobId).getTask('x'))?.attempts, 8);
});

test("the executor's dispatchId survives the scheduler's writes until a new dispatch replaces it", async () => {
  // Scheduler and executor share one store (one view of each key), as the coordinator wires them.
  const s = store(freshJob());
  await s.putTask({ id: 'train:a', status: 'running', attempts: 1 });
  await s.putTaskIfNewer({ id: 'train:a', status: 'running', attempts: 1, dispatchId: 'd1' });
  await s.putTask({ id: 'train:a', status: 'pending', attempts: 1 });
  assert.deepEqual(await s.getTask('train:a'), {
    id: 'train:a',
    status: 'pending',
    attempts: 1,
    dispatchId: 'd1',
  });
  await s.putTask({ id: 'train:a', status: 'running', attempts: 2 });
  await s.putTaskIfNewer({ id: 'train:a', status: 'running', attempts: 2, dispatchId: 'd2' });
  await s.putTask({ id: 'train:a', status: 'done', attempts: 2, finishedAt: 5 });
  assert.deepEqual(await s.getTask('train:a'), {
    id: 'train:a',
    status: 'done',
    attempts: 2,
    finishedAt: 5,
    dispatchId: 'd2',
  });
});

test('writers with separate views: a same-attempt step back from an outdated view is refused', async () => {
  const jobId = freshJob();
  const scheduler = store(jobId);
  const executor = store(jobId);
  await scheduler.putTask({ id: 'train:a', status: 'running', attempts: 1 });
  await executor.putTaskIfNewer({ id: 'train:a', status: 'running', attempts: 1, dispatchId: 'd1' });
  const r = await scheduler.putTaskIfNewer({ id: 'train:a', status: 'pending', attempts: 1 });
  assert.equal(r.written, false);
  assert.deepEqual(r.current, { id: 'train:a', status: 'running', attempts: 1, dispatchId: 'd1' });
});

test('writes issued without awaiting land in call order', async () => {
  const s = store(freshJob());
  const writes = [
    s.putTask({ id: 'y', status: 'running', attempts: 1 }),
    s.putTask({ id: 'y', status: 'pending', attempts: 1 }),
    s.putTask({ id: 'y', status: 'running', attempts: 2 }),
    s.putTask({ id: 'y', status: 'done', attempts: 2 }),
  ];
  await Promise.all(writes);
  assert.equal((await s.getTask('y'))?.status, 'done');
});

test('isNewerTask orders by attempts, then pending < running < failed < done', () => {
  const r = (status: TaskRecord['status'], attempts: number): TaskRecord => ({ id: 'z', status, attempts });
  assert.equal(isNewerTask(r('pending', 2), r('done', 1)), true);
  assert.equal(isNewerTask(r('running', 1), r('pending', 1)), true);
  assert.equal(isNewerTask(r('done', 1), r('failed', 1)), true);
  assert.equal(isNewerTask(r('running', 1), r('running', 1)), false);
  assert.equal(isNewerTask(r('done', 1), r('pending', 2)), false);
});

const job = (id: string, submittedAt: number): JobRecord => ({
  id,
  name: `name-${id}`,
  status: 'running',
  submittedAt,
  jobText: 'name: demo\n',
  job: { name: 'demo' } as unknown as ResolvedJob,
});

test('job records: put, get, list in submission order, and compare-and-set updates', async () => {
  const jobs = new KvJobStore(res.state, res.names);
  await jobs.putJob(job('j-late', 2000));
  await jobs.putJob(job('j-early', 1000));
  assert.deepEqual(await jobs.getJob('j-early'), job('j-early', 1000));
  assert.equal(await jobs.getJob('j-missing'), undefined);
  assert.deepEqual(
    (await jobs.listJobs()).map((j) => j.id),
    ['j-early', 'j-late'],
  );
  // Task keys in the same bucket are not listed as jobs.
  await store('j-early').putTask({ id: 'a', status: 'pending', attempts: 0 });
  assert.equal((await jobs.listJobs()).length, 2);

  // Concurrent read-modify-write: every change lands, none is lost.
  await Promise.all(
    ['a', 'b', 'c', 'd', 'e'].map((c) =>
      jobs.updateJob('j-late', (j) => ({ ...j, error: `${j.error ?? ''}${c}` })),
    ),
  );
  const updated = await jobs.getJob('j-late');
  assert.deepEqual([...(updated?.error ?? '')].sort(), ['a', 'b', 'c', 'd', 'e']);
  const done = await jobs.updateJob('j-late', (j) => ({ ...j, status: 'done', finishedAt: 3000 }));
  assert.equal(done.status, 'done');
  await assert.rejects(
    jobs.updateJob('j-missing', (j) => j),
    /no job j-missing/,
  );
});

test('knownTask answers from the store’s own view, and reads afresh after a refused write', async () => {
  const jobId = freshJob();
  const mine = store(jobId);
  const other = store(jobId);
  assert.equal(await mine.knownTask('t'), undefined, 'nothing stored, nothing seen');
  await mine.putTask({ id: 't', status: 'running', attempts: 1 });
  await other.getTask('t');
  await other.putTask({ id: 't', status: 'done', attempts: 1 });
  // Its own last write, without a KV read (the coordinator is the only writer of its jobs' tasks).
  assert.equal((await mine.knownTask('t'))?.status, 'running');
  assert.equal((await mine.getTask('t'))?.status, 'done', 'getTask always reads KV');

  const refused = await mine.putTaskIfNewer({ id: 't', status: 'running', attempts: 1 });
  assert.equal(refused.written, false);
  await other.putTask({ id: 't', status: 'done', attempts: 1, finishedAt: 9 });
  assert.equal((await mine.knownTask('t'))?.finishedAt, 9, 'after a refusal the view is read again');
});

test('a new job’s store lists nothing and writes without reading, yet never overwrites a newer record', async () => {
  const jobId = freshJob();
  const other = store(jobId);
  await other.putTask({ id: 'done-elsewhere', status: 'done', attempts: 1 });
  const fresh = new KvStateStore(res.state, res.names, jobId, { isNew: true });
  assert.deepEqual(await fresh.loadTasks(), [], 'a new job has no records to list');
  await fresh.putTask({ id: 'new-task', status: 'running', attempts: 1 });
  assert.equal((await other.getTask('new-task'))?.status, 'running');
  // Written as new (revision 0): the stored record makes that a conflict, which casPut then resolves.
  const refused = await fresh.putTaskIfNewer({ id: 'done-elsewhere', status: 'running', attempts: 1 });
  assert.equal(refused.written, false);
  assert.equal((await other.getTask('done-elsewhere'))?.status, 'done');
});

test('the scheduler’s records keep the executor’s dispatch id and deliveries, for that dispatch only', async () => {
  const s = store(freshJob());
  await s.putTaskIfNewer({ id: 't', status: 'done', attempts: 1, dispatchId: 'd1', deliveries: 2 });
  await s.putTask({ id: 't', status: 'done', attempts: 1, finishedAt: 5 });
  assert.deepEqual(await s.getTask('t'), {
    id: 't',
    status: 'done',
    attempts: 1,
    finishedAt: 5,
    dispatchId: 'd1',
    deliveries: 2,
  });
  // A new dispatch starts counting afresh.
  await s.putTaskIfNewer({ id: 't', status: 'done', attempts: 1, dispatchId: 'd2' });
  assert.equal((await s.getTask('t'))?.deliveries, undefined);
});
