import assert from 'node:assert/strict';
import { access, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { roundSignificant } from '../../coordinator/report/roundSignificant.ts';
import { float32View } from '../../core/artifacts/float32.ts';
import type { Dataset } from '../../core/data/dataset.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { fileLoadHandler } from '../../core/model/fileIO.ts';
import { loadJobFile } from '../../core/spec/loadJob.ts';
import { KERAS_FIXTURE_DATA, KERAS_FIXTURE_DIR } from '../fixtures/models/kerasFixture.ts';
import { ofType, parseEvents, REPO_ROOT, runCli, tempDir } from './cli.ts';
import { saveTrainedFunctionalModel } from './functionalModel.ts';

/**
 * Models brought from elsewhere, end to end through `chorus run`: a functional tfjs model (residual add,
 * concatenate, final softmax) as a pretrained member that teaches the student, and as members trained
 * from random weights and from the file's weights; a Keras-converter-style file with quantized weights.
 */

/** What stock tfjs says of a model file on a split: `tf.loadLayersModel` + `predict`, row-major. */
async function stockPredictions(modelJson: string, split: Dataset): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(fileLoadHandler(modelJson));
  const out = tf.tidy(
    () => model.predict(tf.tensor(split.x, [split.count, ...split.sampleShape])) as tf.Tensor,
  );
  const values = out.dataSync() as Float32Array;
  out.dispose();
  model.dispose();
  return values;
}

function argmaxAccuracy(probabilities: Float32Array, labels: Int32Array, classes: number): number {
  let correct = 0;
  labels.forEach((label, i) => {
    const row = Array.from(probabilities.subarray(i * classes, (i + 1) * classes));
    if (row.indexOf(Math.max(...row)) === label) correct++;
  });
  return correct / labels.length;
}

function softmax(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const max = Math.max(...row);
    const exps = Array.from(row, (v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, c) => (out[r * classes + c] = e / sum));
  }
  return out;
}

test('a pretrained functional model is a member without training, scored as tfjs scores it, and teaches the student; the same file trains from random weights and from its own', async (t) => {
  const dir = await tempDir(t, 'chorus-model-files-');
  const jobFile = join(dir, 'job.yaml');
  await writeFile(
    jobFile,
    `name: brought-models
seed: 3
data:
  train: { format: mnist-bundled, start: 0, count: 2000 }
  test: { format: mnist-bundled, start: 8000, count: 500 }
members:
  - { name: ext, model: brought/model.json, weights: file, train: false }
  - { name: res, model: brought/model.json, weights: random, train: { epochs: 2, batchSize: 64 } }
  - { name: tuned, model: brought/model.json, weights: file, train: { epochs: 1, batchSize: 64, learningRate: 0.0003 } }
teacher: { members: [ext] }
distillation:
  student: { layers: [{ type: dense, units: 16, activation: relu }], train: { epochs: 2, batchSize: 64 } }
  temperature: 2
  alpha: 0.7
  baseline: false
runtime: { slots: 2, backend: wasm }
`,
  );
  const { job, baseDir } = await loadJobFile(jobFile);
  const data = await prepareData(job.data, baseDir, job.seed);
  await saveTrainedFunctionalModel(join(dir, 'brought'), data.train);
  const modelJson = join(dir, 'brought', 'model.json');

  const out = join(dir, 'out');
  const exit = await runCli(t, ['run', jobFile, '--out', out, '--json'], 180_000);
  assert.equal(exit.code, 0, exit.stderr);
  const events = parseEvents(exit.stdout);
  const started = ofType(events, 'task-started').map((e) => e.id);
  assert.ok(
    !started.includes('train:ext'),
    `the pretrained member gets no train task: ${started.join(', ')}`,
  );
  for (const id of ['predict:ext', 'train:res', 'train:tuned', 'soft-labels:0', 'distill:student-T2-a0.7']) {
    assert.ok(started.includes(id), id);
  }
  const report = ofType(events, 'report')[0]?.report;
  assert.ok(report);

  // The report's accuracy of the pretrained member is what stock tfjs gives on the same test split.
  const stock = await stockPredictions(modelJson, data.test);
  const ext = report.members.find((m) => m.name === 'ext');
  assert.equal(ext?.accuracy, roundSignificant(argmaxAccuracy(stock, data.test.y, 10)));
  assert.ok((ext?.accuracy ?? 0) > 0.8, `a trained model: ${ext?.accuracy}`);
  assert.deepEqual(ext?.origin, {
    from: 'file',
    file: 'brought/model.json',
    weights: 'file',
    training: 'pretrained',
  });
  const stockModel = await tf.loadLayersModel(fileLoadHandler(modelJson));
  assert.equal(ext?.parameters, stockModel.countParams());
  stockModel.dispose();
  assert.equal(ext?.epochs, undefined);

  // The student is distilled from it: the soft labels are its logits (pre-softmax) on the training split.
  assert.deepEqual(report.teacher.members, ['ext']);
  const shard = float32View(await readFile(join(out, 'soft-labels', 'shard-0.f32')));
  const rows = shard.length / 10;
  const stockTrain = await stockPredictions(modelJson, data.train);
  assert.ok(
    shard.some((v) => v < 0),
    'logits, not probabilities',
  );
  const probabilities = softmax(shard, 10);
  let worst = 0;
  for (let i = 0; i < rows * 10; i++) worst = Math.max(worst, Math.abs(probabilities[i]! - stockTrain[i]!));
  assert.ok(worst < 1e-5, `softmax(soft labels) vs the model's own probabilities: ${worst}`);
  const student = report.students[0];
  assert.equal(student?.kind, 'distilled');
  assert.ok(
    (student?.agreementWithTeacher ?? 0) > 0.5,
    `the student follows its teacher: ${student?.agreementWithTeacher}`,
  );

  // The same file trains: from random weights (seeded) and from its own weights (fine-tuning starts low).
  const res = report.members.find((m) => m.name === 'res');
  const tuned = report.members.find((m) => m.name === 'tuned');
  assert.equal(res?.origin?.weights, 'random');
  assert.equal(tuned?.origin?.weights, 'file');
  assert.equal(res?.history?.loss.length, 2);
  assert.equal(tuned?.history?.loss.length, 1);
  assert.ok(
    (tuned?.history?.loss[0] ?? Infinity) < (res?.history?.loss[0] ?? 0) / 2,
    `fine-tuning starts from trained weights: ${tuned?.history?.loss[0]} vs ${res?.history?.loss[0]}`,
  );

  // The run keeps its copy of the file (weights only where they are used) and each member as logits.
  await access(join(out, 'sources', 'members', 'ext', 'weights.bin'));
  await assert.rejects(access(join(out, 'sources', 'members', 'res', 'weights.bin')));
  const saved = JSON.parse(await readFile(join(out, 'models', 'members', 'ext', 'model.json'), 'utf8')) as {
    modelTopology: { config: { layers: { config: { activation?: string } }[] } };
  };
  assert.equal(saved.modelTopology.config.layers.at(-1)?.config.activation, 'linear');
  await access(join(out, 'models', 'ensemble', 'model.json'));
  const markdown = await readFile(join(out, 'report.md'), 'utf8');
  assert.match(markdown, /\| ext \| file, pretrained \| [\d,]+ \|/);
  assert.match(
    markdown,
    /ext: model file brought\/model\.json, used as it is \(pretrained, not trained here\)/,
  );
});

test('a Keras-converter-style file with quantized weights is a pretrained member; a run whose model file changed is not resumed', async (t) => {
  const dir = await tempDir(t, 'chorus-model-files-');
  await cp(join(REPO_ROOT, 'test', 'fixtures', 'models', KERAS_FIXTURE_DIR), join(dir, 'keras'), {
    recursive: true,
  });
  const jobFile = join(dir, 'job.yaml');
  const source = (s: Record<string, unknown>) =>
    `{ ${Object.entries(s)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', ')} }`;
  await writeFile(
    jobFile,
    `name: keras-file
data:
  train: ${source(KERAS_FIXTURE_DATA.train)}
  test: ${source(KERAS_FIXTURE_DATA.test)}
  validationSplit: 0.2
members:
  - { name: keras, model: keras/model.json, weights: file, train: false }
  - { name: mlp, layers: [{ type: dense, units: 8, activation: relu }], train: { epochs: 2, batchSize: 32 } }
ensemble: { methods: [hard, soft, stacking] }
runtime: { slots: 2, backend: wasm }
`,
  );
  const out = join(dir, 'out');
  const exit = await runCli(t, ['run', jobFile, '--out', out, '--json'], 120_000);
  assert.equal(exit.code, 0, exit.stderr);
  const report = ofType(parseEvents(exit.stdout), 'report')[0]?.report;
  const { job, baseDir } = await loadJobFile(jobFile);
  const data = await prepareData(job.data, baseDir, job.seed);
  const stock = await stockPredictions(join(dir, 'keras', 'model.json'), data.test);
  const keras = report?.members.find((m) => m.name === 'keras');
  assert.equal(keras?.accuracy, roundSignificant(argmaxAccuracy(stock, data.test.y, 3)));
  assert.ok((keras?.accuracy ?? 0) > 0.7);

  // The same command resumes: nothing to redo.
  const again = await runCli(t, ['run', jobFile, '--out', out, '--json'], 60_000);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(ofType(parseEvents(again.stdout), 'task-started'), []);
  // A changed weights file is not mixed with results of the old one.
  const shard = join(dir, 'keras', 'group1-shard2of2.bin');
  const bytes = await readFile(shard);
  bytes[0] = (bytes[0]! + 1) % 256;
  await writeFile(shard, bytes);
  const changed = await runCli(t, ['run', jobFile, '--out', out], 60_000);
  assert.equal(changed.code, 2, changed.stderr);
  assert.match(
    changed.stderr,
    /members\[0\]\.model: .*keras\/model\.json has changed since this run started/,
  );
});
