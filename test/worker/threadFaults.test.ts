import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import { runChorus, type ChorusExit } from '../support/chorusProcess.ts';

const job = `
name: faults
data:
  train: { format: synthetic, count: 200, features: 8, classes: 3, seed: 3, sampleSeed: 1 }
  test: { format: synthetic, count: 60, features: 8, classes: 3, seed: 3, sampleSeed: 2 }
members:
  - { name: m, replicas: 2, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: 2, batchSize: 32 } }
runtime: { slots: 2, backend: cpu, maxAttempts: 3 }
`;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-faults-'));
  await writeFile(join(dir, 'job.yaml'), job);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runWithFaults(out: string, faults: string): Promise<ChorusExit> {
  return runChorus(['run', join(dir, 'job.yaml'), '--out', out, '--json'], {
    env: { CHORUS_FAULTS: faults },
    timeoutMs: 120_000,
  });
}

async function records(out: string): Promise<Map<string, TaskRecord>> {
  const state = JSON.parse(await readFile(join(out, 'state.json'), 'utf8')) as { tasks: TaskRecord[] };
  return new Map(state.tasks.map((t) => [t.id, t]));
}

test('a crashed worker thread fails only its task, which is retried; the job completes', async () => {
  const out = join(dir, 'crash');
  const { code, stderr } = await runWithFaults(out, 'crash@train:m-1#1,fail@predict:m-0#1');
  assert.equal(code, 0, stderr);
  const r = await records(out);
  assert.equal(r.get('train:m-1')?.status, 'done');
  assert.equal(r.get('train:m-1')?.attempts, 2);
  assert.equal(r.get('predict:m-0')?.attempts, 2);
  assert.equal(r.get('train:m-0')?.attempts, 1);
  assert.equal(r.get('report')?.status, 'done');
});

test('bad input is not retried: the job fails at once, naming the task and the error', async () => {
  const out = join(dir, 'bad');
  const { code, stderr } = await runWithFaults(out, 'bad@train:m-0');
  assert.equal(code, 1);
  assert.match(stderr, /train:m-0/);
  assert.match(stderr, /injected bad input/);
  assert.doesNotMatch(stderr, /\n\s+at /);
  const r = await records(out);
  assert.equal(r.get('train:m-0')?.status, 'failed');
  assert.equal(r.get('train:m-0')?.attempts, 1);
});

test('a task that always fails is tried maxAttempts times, then the job fails', async () => {
  const out = join(dir, 'always');
  const { code, stderr } = await runWithFaults(out, 'fail@train:m-1');
  assert.equal(code, 1);
  assert.match(stderr, /train:m-1 failed: injected failure/);
  const r = await records(out);
  assert.equal(r.get('train:m-1')?.attempts, 3);
  assert.equal(r.get('train:m-1')?.status, 'failed');
});
