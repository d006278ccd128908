import assert from 'node:assert/strict';
import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';
import type { Report } from '../../core/report/report.ts';
import { ofType, parseEvents, readState, runCli, startCli, tempDir, type CliEvent } from './cli.ts';

/**
 * One slot, so tasks run one after the other: `fast` trains in a fraction of a second, `slow` takes six
 * epochs of ~0.5-1 s each (batch 8 makes it step-bound), long enough to stop it in the middle.
 */
const JOB = `
name: resume
seed: 3
data:
  train: { format: synthetic, count: 1200, features: 32, classes: 3, separation: 1.5, seed: 3, sampleSeed: 1 }
  test: { format: synthetic, count: 300, features: 32, classes: 3, separation: 1.5, seed: 3, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - name: fast
    layers: [{ type: dense, units: 16, activation: relu }]
    train: { epochs: 2, batchSize: 32, learningRate: 0.01 }
  - name: slow
    layers: [{ type: dense, units: 32, activation: relu }]
    train: { epochs: 6, batchSize: 8, learningRate: 0.002 }
ensemble:
  methods: [hard, soft]
runtime:
  slots: 1
  checkpointSeconds: 0 # every epoch: this test kills the run mid-training and expects a resume
`;
const TASKS = ['train:fast', 'train:slow', 'predict:fast', 'predict:slow', 'report'];

/** Final reports of the two resumed runs, compared by the last test. */
const resumed: { kill?: Report; interrupt?: Report } = {};

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function setUp(t: TestContext): Promise<{ jobFile: string; out: string; args: string[] }> {
  const dir = await tempDir(t, 'chorus-resume-');
  const jobFile = join(dir, 'job.yaml');
  const out = join(dir, 'out');
  await writeFile(jobFile, JOB);
  return { jobFile, out, args: ['run', jobFile, '--out', out, '--json'] };
}

/** Ids of tasks done so far, and the highest epoch each unfinished train task has reported. */
function progressOf(events: readonly CliEvent[]): { done: Set<string>; epochs: Map<string, number> } {
  const done = new Set<string>();
  const epochs = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'task-done') done.add(e.id);
    if (e.type === 'task-progress' && e.id.startsWith('train:') && e.progress.epoch !== undefined) {
      epochs.set(e.id, Math.max(epochs.get(e.id) ?? 0, e.progress.epoch));
    }
  }
  for (const id of done) epochs.delete(id);
  return { done, epochs };
}

/** An unfinished train task that has reached `epoch`, once some other task is done. */
function interruptible(events: readonly CliEvent[], epoch: number): string | undefined {
  const { done, epochs } = progressOf(events);
  if (done.size === 0) return undefined;
  for (const [id, e] of epochs) if (e >= epoch) return id;
  return undefined;
}

function checkpointState(out: string, taskId: string): Promise<{ epoch: number }> {
  return readFile(join(out, artifactKeys.checkpoint(taskId), 'state.json'), 'utf8').then(
    (text) => JSON.parse(text) as { epoch: number },
  );
}

/** Reruns the job and checks it resumes: done tasks stay done, `interrupted` continues from its checkpoint. */
async function rerunAndCheck(
  t: TestContext,
  setup: { out: string; args: string[] },
  doneBefore: Set<string>,
  interrupted: string,
  minEpoch: number,
): Promise<Report> {
  const rerun = await runCli(t, setup.args, 90_000);
  assert.equal(rerun.code, 0, `the rerun failed:\n${rerun.stderr}`);
  const events = parseEvents(rerun.stdout);
  assert.deepEqual(
    ofType(events, 'job-started').map((e) => [e.total, e.alreadyDone]),
    [[TASKS.length, doneBefore.size]],
  );
  const startedAgain = ofType(events, 'task-started').map((e) => e.id);
  for (const id of doneBefore) assert.ok(!startedAgain.includes(id), `${id} was done but started again`);
  assert.deepEqual(
    [...startedAgain].sort(),
    TASKS.filter((id) => !doneBefore.has(id)).sort(),
    'every unfinished task runs once',
  );
  const result = ofType(events, 'task-done').find((e) => e.id === interrupted)?.result;
  assert.ok(result && result.type === 'train', `${interrupted} finished`);
  assert.ok(
    result.resumedFromEpoch >= minEpoch,
    `${interrupted} resumed from epoch ${result.resumedFromEpoch}, expected >= ${minEpoch}`,
  );
  assert.equal(result.history.loss.length, 6, 'the history covers the epochs before and after the resume');
  assert.equal(ofType(events, 'job-done').length, 1);
  const state = await readState(setup.out);
  assert.deepEqual(
    state.filter((r) => r.status !== 'done').map((r) => r.id),
    [],
  );
  const saved = state.find((r) => r.id === interrupted)?.result;
  assert.ok(saved?.type === 'train', `state.json holds the result of ${interrupted}`);
  assert.equal(saved.resumedFromEpoch, result.resumedFromEpoch);
  const checkpointDir = join(setup.out, artifactKeys.checkpoint(interrupted));
  assert.equal(
    await exists(checkpointDir),
    false,
    `checkpoint removed; left: ${(await readdir(checkpointDir, { recursive: true }).catch(() => [])).join(', ')}`,
  );
  const report = JSON.parse(await readFile(join(setup.out, 'report.json'), 'utf8')) as Report;
  assert.deepEqual(
    report.members.map((m) => m.name),
    ['fast', 'slow'],
  );
  return report;
}

test('a run killed with SIGKILL resumes without redoing finished tasks', async (t) => {
  const setup = await setUp(t);
  const cli = startCli(t, setup.args);
  let victim: string | undefined;
  await cli.waitForEvents(
    // Epoch 3 under way: epoch 1's checkpoint is written (a write overlaps the next epoch).
    (events) => (victim = interruptible(events, 3)) !== undefined,
    'a task done and a later train task at epoch 3',
    90_000,
  );
  assert.ok(victim);
  cli.signal('SIGKILL');
  const exit = await cli.finished;
  assert.equal(exit.signal, 'SIGKILL');

  const doneBefore = new Set(ofType(cli.events, 'task-done').map((e) => e.id));
  const state = await readState(setup.out);
  const doneInState = new Set(state.filter((r) => r.status === 'done').map((r) => r.id));
  for (const id of doneBefore) assert.ok(doneInState.has(id), `${id} reported done but not saved as done`);
  assert.ok(doneInState.size >= 1);
  assert.equal(state.find((r) => r.id === victim)?.status, 'running', 'nothing cleaned up after SIGKILL');
  const checkpoint = await checkpointState(setup.out, victim);
  assert.ok(checkpoint.epoch >= 1, `checkpoint at epoch ${checkpoint.epoch}`);

  resumed.kill = await rerunAndCheck(t, setup, doneInState, victim, 1);
});

test('Ctrl-C (SIGINT) stops within seconds with exit code 130, and the rerun completes', async (t) => {
  const setup = await setUp(t);
  const cli = startCli(t, setup.args);
  let victim: string | undefined;
  // Later than the SIGKILL test, so the two runs resume from different epochs.
  await cli.waitForEvents(
    (events) => (victim = interruptible(events, 5)) !== undefined,
    'a task done and a later train task at epoch 5',
    90_000,
  );
  assert.ok(victim);
  const signalled = performance.now();
  cli.signal('SIGINT');
  const exit = await cli.finished;
  const stopSeconds = (performance.now() - signalled) / 1000;
  t.diagnostic(`exited ${stopSeconds.toFixed(2)} s after SIGINT`);
  assert.equal(exit.code, 130, `exit code ${exit.code} (signal ${exit.signal}):\n${exit.stderr}`);
  assert.ok(stopSeconds < 5, `took ${stopSeconds.toFixed(1)} s to stop`);
  assert.ok(ofType(cli.events, 'job-interrupted').length === 1, 'a job-interrupted event');
  assert.match(exit.stderr, /interrupted/);
  assert.deepEqual(
    exit.stderr.split('\n').filter((l) => /^\s+at\s/.test(l)),
    [],
    'no stack trace',
  );

  const state = await readState(setup.out);
  assert.deepEqual(
    state.filter((r) => r.status === 'running').map((r) => r.id),
    [],
    'no task left running',
  );
  assert.equal(state.find((r) => r.id === victim)?.status, 'pending');
  const doneInState = new Set(state.filter((r) => r.status === 'done').map((r) => r.id));
  assert.ok(doneInState.has('train:fast'));
  const checkpoint = await checkpointState(setup.out, victim);
  assert.ok(checkpoint.epoch >= 3, `checkpoint at epoch ${checkpoint.epoch}`);

  resumed.interrupt = await rerunAndCheck(t, setup, doneInState, victim, 3);
});

test('resuming from different epochs gives the same members (checkpoints hold the optimizer state)', () => {
  const { kill, interrupt } = resumed;
  assert.ok(kill && interrupt, 'needs both tests above to have completed (run the whole file)');
  for (const [a, b] of kill.members.map((m, i) => [m, interrupt.members[i]] as const)) {
    assert.ok(b, `member ${a.name} in both reports`);
    assert.equal(a.name, b.name);
    assert.ok(
      Math.abs(a.accuracy - b.accuracy) <= 1 / 300,
      `${a.name}: accuracy ${a.accuracy} vs ${b.accuracy}`,
    );
    assert.ok(Math.abs(a.nll - b.nll) <= 1e-4 * a.nll, `${a.name}: NLL ${a.nll} vs ${b.nll}`);
    const la = a.history?.loss ?? [];
    const lb = b.history?.loss ?? [];
    assert.equal(la.length, lb.length);
    la.forEach((x, i) =>
      assert.ok(Math.abs(x - (lb[i] ?? NaN)) <= 1e-4 * x, `${a.name} epoch ${i + 1} loss`),
    );
  }
});
