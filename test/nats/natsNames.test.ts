import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeKeyToken, encodeKeyToken, natsNames } from '../../cluster/nats/natsNames.ts';
import { workerPermissions } from '../../cluster/nats/workerPermissions.ts';
import { ChorusError } from '../../core/errors.ts';

test('every resource name follows the design table', () => {
  const n = natsNames('chorus');
  assert.equal(n.taskStream, 'CHORUS_TASKS');
  assert.equal(n.taskSubjects, 'chorus.tasks.>');
  assert.equal(n.taskSubject('j1'), 'chorus.tasks.j1');
  assert.equal(n.taskConsumer, 'chorus-workers');
  assert.equal(n.resultStream, 'CHORUS_RESULTS');
  assert.equal(n.resultSubject('j1'), 'chorus.results.j1');
  assert.equal(n.resultConsumer, 'chorus-coordinator');
  assert.equal(n.stateBucket, 'chorus-state');
  assert.equal(n.workersBucket, 'chorus-workers');
  assert.equal(n.artifactsBucket, 'chorus-artifacts');
  assert.equal(n.progressSubject('j1'), 'chorus.progress.j1');
  assert.equal(n.jobKey('j1'), 'job.j1');
  assert.equal(n.taskKey('j1', 'train:mlp-0'), 'task.j1.train=3Amlp-0');
  assert.equal(n.taskKeys('j1'), 'task.j1.*');
  assert.equal(n.workerKey('gpu-a', 'host.example-7'), 'worker.gpu-a.host=2Eexample-7');
  assert.equal(n.workerKeys('gpu-a'), 'worker.gpu-a.*');
  assert.equal(n.artifactPrefix('j1'), 'j1/');
  assert.equal(n.dataObject('j1', 'train.csv'), 'j1/data/train.csv');
  assert.equal(
    n.maxDeliveriesAdvisory,
    '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.CHORUS_TASKS.chorus-workers',
  );
  assert.equal(natsNames().prefix, 'chorus');
});

test('prefixes and job ids that would break subjects, keys or stream names are refused', () => {
  for (const bad of ['', 'Chorus', 'a.b', 'a b', 'a*', 'a>', '-x', 'x'.repeat(33)]) {
    assert.throws(() => natsNames(bad), ChorusError, bad);
  }
  const n = natsNames('t1');
  for (const bad of ['', 'a.b', 'a*', 'a>', 'a b', 'a/b']) {
    assert.throws(() => n.taskSubject(bad), /invalid job id/);
    assert.throws(() => n.taskKey(bad, 'x'), /invalid job id/);
  }
});

test('task id encoding is reversible and always a valid single KV key token', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (id) => {
      const token = encodeKeyToken(id);
      assert.match(token, /^[-_=A-Za-z0-9]+$/);
      assert.equal(decodeKeyToken(token), id);
    }),
    { numRuns: 500 },
  );
  // Distinct ids never share a token (no collisions between an escaped and a literal form).
  assert.notEqual(encodeKeyToken('a:b'), encodeKeyToken('a=3Ab'));
  assert.equal(encodeKeyToken('distill:t2.a0.5'), 'distill=3At2=2Ea0=2E5');
});

test('per-job subjects and task keys are parsed by the module that builds them', () => {
  const n = natsNames('t1');
  assert.deepEqual(n.jobOfSubject(n.cancelSubject('job-7')), { kind: 'cancel', jobId: 'job-7' });
  assert.deepEqual(n.jobOfSubject(n.progressSubject('j_2')), { kind: 'progress', jobId: 'j_2' });
  assert.deepEqual(n.jobOfSubject(n.taskSubject('a')), { kind: 'tasks', jobId: 'a' });
  assert.deepEqual(n.jobOfSubject(n.resultSubject('a')), { kind: 'results', jobId: 'a' });
  // Another prefix, another kind, extra tokens, or a wildcard are not this prefix's job subjects.
  for (const other of ['t2.cancel.a', 't1.heartbeat.a', 't1.cancel.a.b', 't1.cancel.*', 't1.cancel', '']) {
    assert.equal(n.jobOfSubject(other), undefined, other);
  }
  assert.equal(n.allCancels, 't1.cancel.*');
  assert.equal(n.allProgress, 't1.progress.*');
  // A yield request is not a job's cancellation: workers hear it on its own subscription, which the
  // workers' permissions already allow (`t1.cancel.>`).
  assert.equal(n.yieldSubject('job-7'), 't1.cancel.job-7.yield');
  assert.equal(n.jobOfSubject(n.yieldSubject('job-7')), undefined);
  assert.equal(n.allYields, 't1.cancel.*.yield');
  assert.ok(workerPermissions('t1').subscribe.allow.includes('t1.cancel.>'));

  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (taskId) => {
      assert.deepEqual(n.taskOfKey(n.taskKey('job1', taskId)), { jobId: 'job1', taskId });
    }),
    { numRuns: 200 },
  );
  for (const other of [
    n.jobKey('job1'),
    n.workerKey('w', '1'),
    'task.job1',
    'task.job1.a.b',
    'task.job1.=ZZ',
  ]) {
    assert.equal(n.taskOfKey(other), undefined, other);
  }
});

test("a heartbeat key names the worker (its login's name) and the instance, and parses back", () => {
  const n = natsNames('t1');
  assert.deepEqual(n.workerOfKey(n.workerKey('gpu_1', 'node.example-4711')), {
    name: 'gpu_1',
    instance: 'node.example-4711',
  });
  for (const other of ['worker.a', 'worker.a.b.c', 'job.a', 'worker.a.=ZZ', 'worker.a*.b', '']) {
    assert.equal(n.workerOfKey(other), undefined, other);
  }
  // A worker name is one subject token: it is written into the worker's NATS permissions.
  for (const bad of ['', 'a.b', 'a*', 'a>', 'a b', 'x'.repeat(65)]) {
    assert.throws(() => n.workerKey(bad, 'i'), /invalid worker name/, bad);
    assert.throws(() => n.workerKeys(bad), /invalid worker name/, bad);
  }
});
