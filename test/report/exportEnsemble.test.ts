import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { exportEnsembleModel } from '../../coordinator/report/exportEnsemble.ts';
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
