import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  calibratedProbabilities,
  fitEnsembleTemperature,
} from '../../coordinator/report/ensembleTemperature.ts';
import { exportEnsembleModel } from '../../coordinator/report/exportEnsemble.ts';
import { putFloat32 } from '../../core/artifacts/float32.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { argmaxRows } from '../../core/metrics/argmaxRows.ts';
import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { loadModelFromStore, saveModelToStore } from '../../core/artifacts/modelIO.ts';
import { buildModel } from '../../core/model/buildModel.ts';
import { layerSpec } from '../../core/spec/layers.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import { withTempDir } from './fixtures.ts';

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const CLASSES = 3;
const FEATURES = 5;

function job(extra: string): ResolvedJob {
  return parseJobText(`
name: export
data:
  train: { format: synthetic, count: 20, features: ${FEATURES}, classes: ${CLASSES} }
  test: { format: synthetic, count: 5, features: ${FEATURES}, classes: ${CLASSES} }
members:
  - { name: wide, layers: [{ type: dense, units: 8, activation: relu }] }
  - { name: narrow, layers: [{ type: dense, units: 3, activation: tanh }] }
  - { name: linear }
${extra}
`);
}

/** Saves each member (built with its own seed, all with the default model name) where train tasks would. */
async function saveMembers(j: ResolvedJob, store: FsArtifactStore): Promise<Map<string, number[][]>> {
  const x = tf.tensor2d(
    Array.from({ length: 4 * FEATURES }, (_, i) => Math.sin(i * 1.7) * 2),
    [4, FEATURES],
  );
  const logits = new Map<string, number[][]>();
  for (const m of j.members) {
    const model = buildModel({
      layers: m.layers.map((l) => layerSpec.parse(l)),
      inputShape: [FEATURES],
      classes: CLASSES,
      seed: m.seed,
    });
    logits.set(m.name, (model.predict(x) as tf.Tensor).arraySync() as number[][]);
    await saveModelToStore(model, store, artifactKeys.memberModel(m.name));
    model.dispose();
  }
  x.dispose();
  return logits;
}

function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

test('the exported ensemble outputs the weighted mean of the teacher members’ softmax', async () => {
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    // Two of three members teach; wide weighs 3, narrow 1 (linear is not a teacher).
    const j = job('ensemble: { weights: { wide: 3 } }\nteacher: { members: [wide, narrow] }');
    const logits = await saveMembers(j, store);
    const before = tf.memory().numTensors;
    await exportEnsembleModel(j, store);
    assert.equal(tf.memory().numTensors, before, 'every loaded and built model is disposed');

    const model = await loadModelFromStore(store, artifactKeys.ensembleModel());
    const x = tf.tensor2d(
      Array.from({ length: 4 * FEATURES }, (_, i) => Math.sin(i * 1.7) * 2),
      [4, FEATURES],
    );
    const got = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    model.dispose();
    x.dispose();

    const wide = logits.get('wide')!;
    const narrow = logits.get('narrow')!;
    let maxDiff = 0;
    got.forEach((row, r) => {
      const pw = softmax(wide[r]!);
      const pn = softmax(narrow[r]!);
      row.forEach((v, c) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - (0.75 * pw[c]! + 0.25 * pn[c]!)));
      });
    });
    assert.ok(maxDiff < 1e-5, `max abs diff ${maxDiff}`);
    // A real difference between members, so the weighting was actually tested.
    const spread = Math.max(
      ...wide.flatMap((row, r) => softmax(row).map((p, c) => Math.abs(p - softmax(narrow[r]!)[c]!))),
    );
    assert.ok(spread > 1e-3, `members too alike (${spread})`);
  });
});

test('a missing member model is an error and leaves no tensors behind', async () => {
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    const j = job('');
    await saveMembers(j, store);
    await store.deletePrefix(artifactKeys.memberModel('linear'));
    const before = tf.memory().numTensors;
    await assert.rejects(exportEnsembleModel(j, store), /linear/);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(await store.has(`${artifactKeys.ensembleModel()}/model.json`), false);
  });
});

/** Each member's logits on `x`, read back from the saved member models. */
async function memberLogitsOn(
  j: ResolvedJob,
  store: FsArtifactStore,
  x: tf.Tensor2D,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const m of j.members) {
    const model = await loadModelFromStore(store, artifactKeys.memberModel(m.name));
    const y = model.predict(x) as tf.Tensor;
    out.push(Float32Array.from(y.dataSync()));
    y.dispose();
    model.dispose();
  }
  return out;
}

/** Deterministic inputs [rows, FEATURES] (a different `phase` gives a different split). */
function inputs(rows: number, phase: number): tf.Tensor2D {
  return tf.tensor2d(
    Array.from({ length: rows * FEATURES }, (_, i) => Math.sin(i * 1.7 + phase) * 3 + Math.cos(i * 0.31) * 2),
    [rows, FEATURES],
  );
}

/** Loads models/ensemble with nothing but `tf.loadLayersModel` over its model.json and weights.bin bytes. */
async function loadPlain(dir: string): Promise<{ model: tf.LayersModel; json: tf.io.ModelJSON }> {
  const json = JSON.parse(
    await readFile(join(dir, artifactKeys.ensembleModel(), 'model.json'), 'utf8'),
  ) as tf.io.ModelJSON;
  const weights = await readFile(join(dir, artifactKeys.ensembleModel(), 'weights.bin'));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  return { model, json };
}

for (const average of ['probabilities', 'logits'] as const) {
  test(`calibrated export (${average}): the reloaded model outputs softmax(log(p) / T), T fitted on validation`, async () => {
    await withTempDir(async (dir) => {
      const store = new FsArtifactStore(dir);
      const j = job(
        `ensemble: { weights: { wide: 3 }, calibrate: true }\nteacher: { members: [wide, narrow], softTargets: ${average} }`,
      );
      await saveMembers(j, store);
      const xVal = inputs(40, 0);
      const validation = await memberLogitsOn(j, store, xVal);
      xVal.dispose();
      for (const [i, m] of j.members.entries()) {
        await putFloat32(store, artifactKeys.memberLogits(m.name, 'validation'), validation[i]!);
      }
      // Labels: the argmax of the linear member (not a teacher) — the teacher is right only part of the time.
      const labels = argmaxRows(validation[2]!, CLASSES);
      const teacherVal = validation.slice(0, 2);
      const expectedT = fitEnsembleTemperature(teacherVal, labels, CLASSES, [3, 1], average);
      assert.ok(Math.abs(expectedT - 1) > 0.1, `T = ${expectedT} is too close to 1 to show anything`);

      const before = tf.memory().numTensors;
      const exported = await exportEnsembleModel(j, store, { validationLabels: labels });
      assert.equal(tf.memory().numTensors, before, 'every loaded and built model is disposed');
      assert.equal(exported.calibrationTemperature, expectedT);

      const { model, json } = await loadPlain(dir);
      assert.deepEqual(json.userDefinedMetadata, { chorus: { calibrationTemperature: expectedT, average } });
      const x = inputs(6, 2);
      const got = (model.predict(x) as tf.Tensor).dataSync();
      const test = (await memberLogitsOn(j, store, x)).slice(0, 2);
      model.dispose();
      x.dispose();
      const want = calibratedProbabilities(test, CLASSES, [3, 1], average, expectedT);
      const uncalibrated = calibratedProbabilities(test, CLASSES, [3, 1], average, 1);
      let maxDiff = 0;
      let moved = 0;
      for (let k = 0; k < want.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[k]! - want[k]!));
        moved = Math.max(moved, Math.abs(want[k]! - uncalibrated[k]!));
      }
      assert.ok(maxDiff < 1e-5, `max abs diff ${maxDiff}`);
      assert.ok(moved > 1e-2, `calibration barely changed the output (${moved})`);
    });
  });
}

test('calibrated export without the validation labels is refused before anything is built', async () => {
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    const j = job('ensemble: { calibrate: true }');
    await saveMembers(j, store);
    const before = tf.memory().numTensors;
    await assert.rejects(exportEnsembleModel(j, store), (err: unknown) => {
      return err instanceof NonRetryableError && /needs the validation labels/.test(err.message);
    });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(await store.has(`${artifactKeys.ensembleModel()}/model.json`), false);
  });
});

test('an uncalibrated export keeps model.json free of calibration metadata', async () => {
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    const j = job('');
    await saveMembers(j, store);
    assert.deepEqual(await exportEnsembleModel(j, store), {});
    const { model, json } = await loadPlain(dir);
    model.dispose();
    assert.equal(json.userDefinedMetadata, undefined);
  });
});
