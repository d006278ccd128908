import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planJob } from '../../coordinator/planJob.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import type { Task } from '../../core/tasks/task.ts';

const base = `
name: plan
data:
  train: { format: synthetic, count: 100 }
  test: { format: synthetic, count: 50 }
members:
  - { name: a, replicas: 2 }
  - { name: b }
`;

function byId(tasks: Task[]): Map<string, Task> {
  return new Map(tasks.map((t) => [t.id, t]));
}

function assertTopological(tasks: Task[]): void {
  const seen = new Set<string>();
  for (const t of tasks) {
    for (const d of t.deps)
      assert.ok(seen.has(d), `${t.id} depends on ${d}, which comes later or is missing`);
    assert.ok(!seen.has(t.id), `duplicate task id ${t.id}`);
    seen.add(t.id);
  }
}

test('members only: train and predict per member, then the report', () => {
  const tasks = planJob(parseJobText(base));
  assertTopological(tasks);
  assert.deepEqual(
    tasks.map((t) => t.id),
    ['train:a-0', 'train:a-1', 'train:b', 'predict:a-0', 'predict:a-1', 'predict:b', 'report'],
  );
  assert.deepEqual(byId(tasks).get('predict:a-1')?.deps, ['train:a-1']);
  assert.deepEqual(byId(tasks).get('report')?.deps, ['predict:a-0', 'predict:a-1', 'predict:b']);
});

test('stacking, shards, a temperature × alpha sweep and a baseline', () => {
  const tasks = planJob(
    parseJobText(`${base}
ensemble: { methods: [hard, soft, stacking] }
teacher: { members: [a] }
distillation:
  student: { name: s }
  temperature: [2, 8]
  alpha: [0.5, 0.9]
  shards: 3
`),
  );
  assertTopological(tasks);
  const map = byId(tasks);
  assert.deepEqual(map.get('stack')?.deps, ['predict:a-0', 'predict:a-1', 'predict:b']);
  const shards = tasks.filter((t) => t.type === 'soft-labels');
  assert.equal(shards.length, 3);
  for (const s of shards) assert.deepEqual(s.deps, ['train:a-0', 'train:a-1']);
  const distills = tasks.filter((t) => t.type === 'distill');
  assert.equal(distills.length, 5);
  assert.deepEqual(map.get('distill:s-T8-a0.5')?.deps, ['soft-labels:0', 'soft-labels:1', 'soft-labels:2']);
  assert.deepEqual(map.get('distill:s-baseline')?.deps, []);
  const report = map.get('report');
  assert.ok(report);
  assert.ok(report.deps.includes('stack'));
  assert.equal(report.deps.filter((d) => d.startsWith('distill:')).length, 5);
});

test('without a distillation section no soft labels or students are planned', () => {
  const tasks = planJob(parseJobText(base));
  assert.equal(tasks.filter((t) => t.type === 'soft-labels' || t.type === 'distill').length, 0);
});

test('a pretrained member has no train task: its predict runs first, and soft labels wait on it', () => {
  const tasks = planJob(
    parseJobText(`
name: plan
data:
  train: { format: synthetic, count: 100 }
  test: { format: synthetic, count: 50 }
members:
  - { name: ext, model: ext/model.json, weights: file, train: false }
  - { name: mlp }
teacher: { members: [ext, mlp] }
distillation:
  student: { name: s }
`),
  );
  assertTopological(tasks);
  const ids = byId(tasks);
  assert.ok(!ids.has('train:ext'), 'no train task for the pretrained member');
  assert.ok(ids.has('train:mlp'));
  assert.deepEqual(ids.get('predict:ext')?.deps, []);
  assert.deepEqual(ids.get('predict:mlp')?.deps, ['train:mlp']);
  assert.deepEqual(ids.get('soft-labels:0')?.deps, ['predict:ext', 'train:mlp']);
});
