import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../core/report/report.ts';
import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';
import { ofType, parseEvents, runCli, startCli, tempDir } from './cli.ts';

/**
 * A member with a plateau schedule and early stopping (restoring the best weights) on data it overfits
 * after a few epochs: uninterrupted, early stopping ends it 3 epochs after its best one. Killed with
 * SIGKILL between the two (after the best epoch's checkpoint), the rerun must continue the schedule, the patience count and the best weights
 * from the checkpoint, and end with the same model.
 */
const JOB = `
name: early-stop-resume
seed: 3
data:
  train: { format: synthetic, count: 1200, features: 32, classes: 3, separation: 1.5, seed: 3, sampleSeed: 1 }
  test: { format: synthetic, count: 300, features: 32, classes: 3, separation: 1.5, seed: 3, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - name: slow
    layers: [{ type: dense, units: 32, activation: relu }]
    train:
      epochs: 30
      batchSize: 4
      learningRate: 0.001
      schedule: { type: plateau, patience: 1, factor: 0.5 }
      earlyStopping: { patience: 3, minDelta: 0.002 }
ensemble: { methods: [soft] }
runtime: { slots: 1, checkpointSeconds: 0 }
`;

async function report(out: string): Promise<Report> {
  return JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
}

test('early stopping after SIGKILL and resume: same stop, same best epoch, same weights as uninterrupted', async (t) => {
  const dir = await tempDir(t, 'chorus-early-stop-');
  const jobFile = join(dir, 'job.yaml');
  await writeFile(jobFile, JOB);

  const whole = await runCli(t, ['run', jobFile, '--out', join(dir, 'whole'), '--json'], 120_000);
  assert.equal(whole.code, 0, whole.stderr);
  const reference = (await report(join(dir, 'whole'))).members[0]!;
  assert.ok(
    reference.stoppedAtEpoch !== undefined && reference.bestEpoch !== undefined,
    'early stopping ended it',
  );
  // Patience 3: the stop comes 3 epochs after the best one, and the kill lands in between.
  assert.equal(reference.stoppedAtEpoch, reference.bestEpoch + 3);
  const killEpoch = reference.bestEpoch + 2;
  t.diagnostic(`uninterrupted: stopped at ${reference.stoppedAtEpoch}, best ${reference.bestEpoch}`);
  const rates = reference.history?.learningRate ?? [];
  assert.ok(new Set(rates).size > 1, `the plateau schedule lowered the rate: ${rates.join(', ')}`);

  const out = join(dir, 'killed');
  const cli = startCli(t, ['run', jobFile, '--out', out, '--json']);
  await cli.waitForEvents(
    (events) =>
      ofType(events, 'task-progress').some(
        (e) => e.id === 'train:slow' && (e.progress.epoch ?? 0) >= killEpoch,
      ),
    `train:slow in epoch ${killEpoch} (the best epoch checkpointed)`,
    120_000,
  );
  cli.signal('SIGKILL');
  assert.equal((await cli.exited).signal, 'SIGKILL');
  const checkpoint = JSON.parse(
    await readFile(join(out, artifactKeys.checkpoint('train:slow'), 'state.json'), 'utf8'),
  ) as { epoch: number; recipe?: { earlyStopping?: { bestEpoch: number } }; best?: unknown[] };
  assert.ok(
    checkpoint.epoch >= reference.bestEpoch && checkpoint.epoch < reference.stoppedAtEpoch,
    `checkpoint at epoch ${checkpoint.epoch}: between the best epoch and the stop`,
  );
  assert.equal(
    checkpoint.recipe?.earlyStopping?.bestEpoch,
    reference.bestEpoch,
    'the best epoch is checkpointed',
  );
  assert.ok((checkpoint.best?.length ?? 0) > 0, 'and its weights');

  const rerun = await runCli(t, ['run', jobFile, '--out', out, '--json'], 120_000);
  assert.equal(rerun.code, 0, rerun.stderr);
  const resumed = (await report(out)).members[0]!;
  const done = ofType(parseEvents(rerun.stdout), 'task-done').find((e) => e.id === 'train:slow');
  assert.ok(
    done?.result.type === 'train' && done.result.resumedFromEpoch >= 4,
    'the rerun resumed from the checkpoint',
  );
  assert.deepEqual(
    {
      stoppedAtEpoch: resumed.stoppedAtEpoch,
      bestEpoch: resumed.bestEpoch,
      accuracy: resumed.accuracy,
      nll: resumed.nll,
      history: resumed.history,
    },
    {
      stoppedAtEpoch: reference.stoppedAtEpoch,
      bestEpoch: reference.bestEpoch,
      accuracy: reference.accuracy,
      nll: reference.nll,
      history: reference.history,
    },
  );
});
