import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { encodeMessage } from '../../cluster/messages/codec.ts';
import { type ResultMessage } from '../../cluster/messages/resultMessage.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import type { Report } from '../../core/report/report.ts';
import { ofType, parseEvents, runCli, tempDir } from '../pipeline/cli.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { fullJob } from './jobs.ts';
import { shapeOf, withoutTimings } from './reportShape.ts';

/**
 * The same job file run embedded (`chorus run`) and distributed (`chorus submit --wait`, two worker
 * processes) gives a report of the same structure and, with the same seeds and backend, the same
 * numbers. While the distributed run is under way the test forges results with superseded dispatch
 * ids (and a late duplicate of a finished task's result): the coordinator must ignore every one.
 */
test('a job run distributed reports what the embedded run reports; forged late results are ignored', async (t) => {
  const cluster = await Cluster.start(t, { workers: 2 });
  const file = await cluster.jobFile('same.yaml', fullJob('same'));

  // Embedded first: it competes for the same two cores, so not at the same time as the cluster's run.
  const out = await tempDir(t, 'chorus-dist-embedded-');
  const embedded = await runCli(t, ['run', file, '--out', out, '--json'], 120_000);
  assert.equal(embedded.code, 0, embedded.stderr);
  const embeddedReport = ofType(parseEvents(embedded.stdout), 'report')[0]?.report;
  assert.ok(embeddedReport, 'chorus run --json printed its report');

  const nc = await cluster.natsConnection(t);
  const js = jetstream(nc);
  const names = natsNames(cluster.prefix);
  const submit = runCli(
    t,
    ['submit', file, '--wait', '--json', '--coordinator', cluster.grpcAddress],
    150_000,
  );
  const jobId = await waitForJobId(cluster);

  // As soon as one task is done, forge results for every task of the job: a late duplicate of the
  // finished task's result (its own dispatch id), and results of dispatches that are not current.
  const first = await cluster.waitForEvent(jobId, (e) => e.type === 'task-done', 'a first task to finish');
  assert.equal(first.type, 'task-done');
  const doneId = first.id;
  const kv = await new Kvm(js).open(names.stateBucket);
  const doneRecord = (await kv.get(names.taskKey(jobId, doneId)))?.json<{ dispatchId: string }>();
  assert.ok(doneRecord?.dispatchId, 'the finished task has its dispatch id in KV');
  const status = await cluster.api().getJob(jobId);
  const forged: ResultMessage[] = status.tasks.map((task) => ({
    jobId,
    taskId: task.id,
    dispatchId: randomUUID(),
    final: true,
    deliveries: 1,
    worker: 'forger',
    outcome: { ok: false, error: { name: 'ForgedError', message: 'forged failure', retryable: false } },
  }));
  forged.push({
    jobId,
    taskId: doneId,
    dispatchId: doneRecord.dispatchId,
    final: true,
    deliveries: 2,
    worker: 'forger',
    outcome: { ok: false, error: { name: 'ForgedError', message: 'late duplicate', retryable: false } },
  });
  for (const message of forged) await js.publish(names.resultSubject(jobId), encodeMessage(message));

  const exit = await submit;
  assert.equal(exit.code, 0, `${exit.stderr}\n${cluster.logs()}`);
  const report: Report | undefined = ofType(parseEvents(exit.stdout), 'report')[0]?.report;
  assert.ok(report, 'chorus submit --wait --json printed the report');

  // Same structure (keys, list lengths, value types), and the same numbers everywhere but timings:
  // same backend, same seeds, so the same members, ensemble, teacher and student.
  assert.deepEqual(shapeOf(report), shapeOf(embeddedReport));
  assert.equal(report.backend, 'wasm');
  assert.deepEqual(
    report.members.map((m) => [m.name, m.accuracy]),
    embeddedReport.members.map((m) => [m.name, m.accuracy]),
  );
  assert.deepEqual(withoutTimings(report), withoutTimings(embeddedReport));
  // The online student's worker loaded the teacher members from the object store.
  assert.deepEqual(
    report.students.map((s) => [s.name, s.teacherTargets, s.teacherSeconds !== undefined]),
    [
      ['student-T2-a0.7-offline', 'offline', false],
      ['student-T2-a0.7-online', 'online', true],
    ],
  );

  // The forged results changed nothing: every task is done, once, with no error; the coordinator
  // consumed (acked) every forged message rather than leaving them pending.
  const final = await cluster.status(t, jobId);
  assert.equal(final.state, 'done');
  for (const task of final.tasks) {
    assert.equal(task.state, 'done', task.id);
    assert.equal(task.attempts, 1, task.id);
    assert.equal(task.lastError, undefined, task.id);
  }
  const jobs = await cluster.cli(t, ['jobs', '--json']);
  assert.equal(jobs.code, 0, jobs.stderr);
  assert.deepEqual(
    (JSON.parse(jobs.stdout) as { jobId: string; state: string; counts: { done: number } }[]).map((j) => [
      j.jobId,
      j.state,
      j.counts.done,
    ]),
    [[jobId, 'done', final.tasks.length]],
  );
  const jsm = await jetstreamManager(nc);
  await waitUntil(async () => {
    const info = await jsm.consumers.info(names.resultStream, names.resultConsumer);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, 'the coordinator to consume every result');
  assert.equal(
    (await kv.get(names.taskKey(jobId, doneId)))?.json<{ dispatchId: string }>().dispatchId,
    doneRecord.dispatchId,
  );
});

async function waitForJobId(cluster: Cluster): Promise<string> {
  let jobId: string | undefined;
  await waitUntil(async () => {
    jobId = (
      await cluster
        .api()
        .listJobs()
        .catch(() => [])
    )[0]?.jobId;
    return jobId !== undefined;
  }, 'the job to be submitted');
  return jobId ?? '';
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
