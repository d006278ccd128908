import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { planJob } from '../../coordinator/planJob.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { PoolTask } from '../../core/tasks/task.ts';
import type { PreparedData } from '../../core/tasks/taskContext.ts';
import {
  buildIfStale,
  compiledThreadEntry,
  COMPILED_THREADS_ENV,
  withoutTsxFlags,
} from '../../worker/compiledThreadEntry.ts';
import { ThreadPool } from '../../worker/threadPool.ts';

test('withoutTsxFlags drops the flags that load tsx and keeps every other one', () => {
  assert.deepEqual(withoutTsxFlags(['--import', 'tsx', '--cpu-prof']), ['--cpu-prof']);
  assert.deepEqual(withoutTsxFlags(['--import=tsx', '--loader', 'tsx/esm']), []);
  assert.deepEqual(withoutTsxFlags(['--require', '/repo/node_modules/tsx/dist/cjs/index.cjs']), []);
  assert.deepEqual(withoutTsxFlags(['--import', './other.mjs', '--max-semi-space-size=64']), [
    '--import',
    './other.mjs',
    '--max-semi-space-size=64',
  ]);
  assert.deepEqual(withoutTsxFlags(['--import', 'tsxlike']), ['--import', 'tsxlike']);
});

test('a compiled entry is rebuilt when a source file changes, and only then', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'chorus-compiled-'));
  try {
    await writeFile(
      path.join(root, 'entry.ts'),
      "import { value } from './value.ts';\nexport default value;\n",
    );
    await writeFile(path.join(root, 'value.ts'), 'export const value: number = 1;\n');
    const target = {
      root,
      entry: path.join(root, 'entry.ts'),
      output: path.join(root, 'out', 'entry.cjs'),
      manifest: path.join(root, 'out', 'entry.json'),
    };
    const load = async (): Promise<unknown> => {
      // A fresh copy each time: require caches by path.
      const copy = path.join(root, `copy-${Date.now()}-${Math.random()}.cjs`);
      await writeFile(copy, await readFile(target.output));
      return (createRequire(import.meta.url)(copy) as { default: unknown }).default;
    };
    assert.equal(await buildIfStale(target), true);
    assert.equal(await load(), 1);
    const built = (await stat(target.output)).mtimeMs;
    assert.ok(JSON.parse(await readFile(target.manifest, 'utf8')).inputs.length >= 2);

    // Nothing changed: the bundle stays as it was.
    await buildIfStale(target);
    assert.equal((await stat(target.output)).mtimeMs, built);

    // An input changes (same size, new time): rebuilt.
    await writeFile(path.join(root, 'value.ts'), 'export const value: number = 2;\n');
    const later = new Date(Date.now() + 5000);
    await utimes(path.join(root, 'value.ts'), later, later);
    await buildIfStale(target);
    assert.equal(await load(), 2);
    assert.deepEqual((await readdir(path.join(root, 'out'))).sort(), ['entry.cjs', 'entry.json']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

// A member trained and its logits predicted by a compiled thread and by a tsx thread: the same bytes.
const JOB = `
name: compiled-thread
seed: 3
data:
  train: { format: synthetic, count: 300, features: 12, classes: 3, seed: 5, sampleSeed: 1 }
  test: { format: synthetic, count: 90, features: 12, classes: 3, seed: 5, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - { name: m, layers: [{ type: dense, units: 16, activation: relu }, { type: dropout, rate: 0.1 }], train: { epochs: 3, batchSize: 32 } }
runtime: { slots: 1, backend: wasm }
`;

let dir = '';
let job: ResolvedJob;
let data: PreparedData;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'chorus-compiled-thread-'));
  job = parseJobText(JOB, 'compiled-thread.yaml');
  data = await prepareData(job.data, dir, job.seed);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the member's train and predict tasks in a new one-thread pool; returns every file they wrote. */
async function trainAndPredict(compiled: boolean, backend: 'wasm' | 'cpu'): Promise<Map<string, Buffer>> {
  const previous = process.env[COMPILED_THREADS_ENV];
  if (!compiled) process.env[COMPILED_THREADS_ENV] = '0';
  const pool = new ThreadPool(1);
  if (previous === undefined) delete process.env[COMPILED_THREADS_ENV];
  else process.env[COMPILED_THREADS_ENV] = previous;
  const root = path.join(dir, `${compiled ? 'compiled' : 'tsx'}-${backend}`);
  try {
    const plan = planJob(job);
    for (const id of ['train:m', 'predict:m']) {
      const task = plan.find((t) => t.id === id) as PoolTask | undefined;
      assert.ok(task, `the plan has ${id}`);
      const outcome = await pool.run(
        { task, job, data, artifacts: { kind: 'fs', root }, backend, attempt: 1 },
        () => undefined,
      );
      assert.equal(outcome.ok, true, `${id}: ${JSON.stringify(outcome)}`);
    }
  } finally {
    await pool.close();
  }
  const files = new Map<string, Buffer>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.set(path.relative(root, full), await readFile(full));
    }
  };
  await walk(root);
  return files;
}

test('compiled pool threads train and predict byte for byte as threads running the TypeScript do', async () => {
  assert.ok(await compiledThreadEntry(), 'the compiled thread entry was built');
  for (const backend of ['wasm', 'cpu'] as const) {
    const compiled = await trainAndPredict(true, backend);
    const typescript = await trainAndPredict(false, backend);
    const weights = [...compiled.keys()].filter((f) => f.endsWith('.bin') || f.endsWith('.f32'));
    assert.ok(
      weights.length >= 2,
      `weights and logits written (${backend}): ${[...compiled.keys()].join(', ')}`,
    );
    for (const file of weights) {
      assert.ok(typescript.get(file)?.equals(compiled.get(file)!), `${backend}: ${file} differs`);
    }
  }
});
