import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Report } from '../../core/report/report.ts';
import { shapeOf, withoutTimings } from '../distributed/reportShape.ts';
import { runChorus } from '../support/chorusProcess.ts';
import { writeStandInNativeBackend, type LoadRecord } from '../support/standInNativeBackend.ts';
import { ofType, parseEvents, readState, runCli, startCli, tempDir } from './cli.ts';

/**
 * `chorus run --isolation process`: the same report as threads, a child killed mid-task survived,
 * GPU placement with a stand-in native backend, and flags that cannot work refused.
 */

const job = (epochs: number) => `
name: isolation
seed: 5
data:
  train: { format: synthetic, count: 600, features: 12, classes: 3, separation: 1.5, seed: 3, sampleSeed: 1 }
  test: { format: synthetic, count: 150, features: 12, classes: 3, separation: 1.5, seed: 3, sampleSeed: 2 }
members:
  - { name: m, replicas: 3, layers: [{ type: dense, units: 16, activation: relu }], train: { epochs: ${epochs}, batchSize: 32 } }
ensemble: { methods: [hard, soft, stacking] }
distillation:
  student: { layers: [{ type: dense, units: 6, activation: relu }], train: { epochs: 2, batchSize: 32 } }
  temperature: 2
  alpha: 0.5
runtime: { backend: wasm, maxAttempts: 3 }
`;

async function reportOf(args: string[], t: Parameters<typeof runCli>[0]): Promise<Report> {
  const exit = await runCli(t, [...args, '--json'], 120_000);
  assert.equal(exit.code, 0, exit.stderr);
  const report = ofType(parseEvents(exit.stdout), 'report')[0]?.report;
  assert.ok(report, 'the run printed its report');
  return report;
}

test('--isolation process --slots 2 reports exactly what threads report (same seeds, same backend)', async (t) => {
  const dir = await tempDir(t, 'chorus-isolation-');
  const file = join(dir, 'job.yaml');
  await writeFile(file, job(3));
  const threads = await reportOf(
    ['run', file, '--out', join(dir, 't'), '--slots', '2', '--isolation', 'thread'],
    t,
  );
  const processes = await reportOf(
    ['run', file, '--out', join(dir, 'p'), '--slots', '2', '--isolation', 'process'],
    t,
  );
  assert.equal(processes.backend, 'wasm');
  assert.equal(processes.timing.gpuTasks, undefined, 'no GPU in the timings of a wasm run');
  assert.deepEqual(shapeOf(processes), shapeOf(threads));
  assert.deepEqual(withoutTimings(processes), withoutTimings(threads));
});

const execFileAsync = promisify(execFile);

/** The process ids of `pid`'s children. */
async function childrenOf(pid: number): Promise<number[]> {
  const { stdout } = await execFileAsync('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({
    stdout: '',
  }));
  return stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

test('kill -9 of a pool process mid-task: its task is retried, the process replaced, nothing counted twice', async (t) => {
  const dir = await tempDir(t, 'chorus-isolation-kill-');
  const file = join(dir, 'job.yaml');
  await writeFile(file, job(12));
  const out = join(dir, 'out');
  const run = startCli(t, ['run', file, '--out', out, '--slots', '2', '--isolation', 'process', '--json']);
  // Both slots train (two train tasks started, one has reported an epoch): kill one of the two children.
  await run.waitForEvents(
    (events) =>
      events.filter((e) => e.type === 'task-started').length >= 2 &&
      events.some((e) => e.type === 'task-progress'),
    'two tasks training',
    60_000,
  );
  const before = await childrenOf(run.pid);
  assert.equal(before.length, 2, `two pool processes: ${before.join(', ')}`);
  const victim = before[0]!;
  process.kill(victim, 'SIGKILL');
  const exit = await run.waitForExit(120_000);
  assert.equal(exit.code, 0, run.tail(40));

  const events = run.events;
  const failed = ofType(events, 'task-failed');
  assert.equal(failed.length, 1, JSON.stringify(failed));
  assert.match(
    failed[0]!.error,
    new RegExp(`PoolChildExitedError: pool process ${victim} \\(slot \\d\\) was killed by SIGKILL`),
  );
  assert.equal(failed[0]!.willRetry, true);
  const done = ofType(events, 'task-done').map((e) => e.id);
  assert.equal(new Set(done).size, done.length, 'every task finished once');
  const records = await readState(out);
  assert.ok(records.every((r) => r.status === 'done'));
  assert.deepEqual(
    records.filter((r) => r.attempts > 1).map((r) => [r.id, r.attempts]),
    [[failed[0]!.id, 2]],
    'only the killed task ran again',
  );
  const report = ofType(events, 'report')[0]?.report;
  assert.ok(report);
  assert.equal(report.members.length, 3);
  assert.equal(report.timing.retries, 1);
  assert.equal(report.timing.byType.train?.tasks, 3, 'three trainings counted, not four');
});

test('--gpus 0,1 with a stand-in tfjs-node-gpu: the job runs on it, each process seeing one GPU', async (t) => {
  const dir = await tempDir(t, 'chorus-isolation-gpu-');
  const file = join(dir, 'job.yaml');
  await writeFile(file, job(2));
  const standIn = await writeStandInNativeBackend(join(dir, 'stand-in'));
  const out = join(dir, 'out');
  const exit = await runChorus(
    ['run', file, '--out', out, '--backend', 'tensorflow-gpu', '--gpus', '0,1', '--json'],
    { t, env: standIn.env, timeoutMs: 120_000 },
  );
  assert.equal(exit.code, 0, exit.stderr);
  const report = ofType(parseEvents(exit.stdout), 'report')[0]?.report;
  assert.equal(report?.backend, 'tensorflow');
  const loads = (await readFile(standIn.record, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LoadRecord);
  assert.ok(
    loads.length >= 1 && loads.length <= 2,
    `loaded in each process that ran a task: ${loads.length}`,
  );
  assert.equal(new Set(loads.map((l) => l.pid)).size, loads.length, 'once per process');
  for (const load of loads) {
    assert.ok(['0', '1'].includes(load.CUDA_VISIBLE_DEVICES ?? ''), JSON.stringify(load));
    assert.equal(load.TF_FORCE_GPU_ALLOW_GROWTH, 'true');
  }

  // The report's task timings name the GPU each pool task ran on: three trainings at once on two
  // slots use both GPUs.
  const gpuTasks = report?.timing.gpuTasks ?? [];
  const poolTasks = Object.entries(report?.timing.byType ?? {})
    .filter(([type]) => type !== 'report')
    .reduce((sum, [, entry]) => sum + entry.tasks, 0);
  assert.equal(gpuTasks.length, poolTasks, JSON.stringify(gpuTasks));
  assert.deepEqual(new Set(gpuTasks.map((g) => g.gpu)), new Set([0, 1]), JSON.stringify(gpuTasks));
  const written = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
  assert.deepEqual(written.timing.gpuTasks, gpuTasks);
  const md = await readFile(join(out, 'report.md'), 'utf8');
  assert.match(md, /## Tasks by GPU/);
  for (const g of gpuTasks) assert.ok(md.includes(`| ${g.task} | ${g.type} | ${g.gpu} | `), g.task);
  assert.match(md, /^GPU 0: \d+ tasks?, .+; GPU 1: \d+ tasks?, .+\.$/m);
  assert.match(await readFile(join(out, 'report.html'), 'utf8'), /id="gpu-tasks"><h2>Tasks by GPU<\/h2>/);
});

test('pool flags that cannot work are refused with exit code 2 before anything runs', async (t) => {
  const dir = await tempDir(t, 'chorus-isolation-bad-');
  const file = join(dir, 'job.yaml');
  await writeFile(file, job(1));
  const cases: [string[], RegExp][] = [
    [
      ['--slots-per-gpu', '0', '--gpus', '0'],
      /--slots-per-gpu <k>' argument '0' is invalid\. expected a positive integer/,
    ],
    [['--gpus', '0'], /--gpus: backend 'wasm' does not run on a GPU; use --backend tensorflow-gpu/],
    [['--gpus', '0', '--backend', 'cpu'], /--gpus: backend 'cpu' does not run on a GPU/],
    [
      ['--gpus', '0', '--backend', 'tensorflow-gpu', '--isolation', 'thread'],
      /--gpus: GPU placement needs --isolation process/,
    ],
    [['--slots-per-gpu', '2'], /--slots-per-gpu: needs --gpus/],
    [['--gpus', '0,x'], /--gpus <list>' argument '0,x' is invalid\. expected comma-separated GPU indices/],
    [
      ['--isolation', 'fiber'],
      /--isolation <mode>' argument 'fiber' is invalid\. Allowed choices are thread, process/,
    ],
  ];
  for (const [flags, message] of cases) {
    const out = join(dir, `out-${flags.join('')}`);
    const exit = await runChorus(['run', file, '--out', out, ...flags], { t, timeoutMs: 60_000 });
    assert.equal(exit.code, 2, `${flags.join(' ')}: ${exit.stderr}`);
    assert.match(exit.stderr, message, flags.join(' '));
    await assert.rejects(readFile(join(out, 'job.json')), 'no output folder claimed');
  }
});
