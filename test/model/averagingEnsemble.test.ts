import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ModelSpecError } from '../../core/errors.ts';
import { buildAveragingEnsemble } from '../../core/model/averagingEnsemble.ts';
import { buildModel } from '../../core/model/buildModel.ts';
import { loadModel, saveModel } from '../../core/model/fileIO.ts';
import { layerSpec, type LayerSpecInput } from '../../core/spec/layers.ts';
import { maxAbsDiff, predictFlat, softmaxRows, useCpu, withTempDir } from './helpers.ts';

before(useCpu);

const C = 4;
const INPUT = [6, 6, 1];

/** Three members of different architectures, all with the default name, so their layer names collide. */
function makeMembers(): tf.LayersModel[] {
  const archs: LayerSpecInput[][] = [
    [{ type: 'dense', units: 8, activation: 'relu' }],
    [{ type: 'conv2d', filters: 3, kernelSize: 3, activation: 'relu' }, { type: 'maxPooling2d' }],
    [
      { type: 'conv2d', filters: 2, kernelSize: 2 },
      { type: 'batchNormalization' },
      { type: 'dropout', rate: 0.3 },
    ],
  ];
  return archs.map((layers, i) =>
    buildModel({
      layers: layers.map((l) => layerSpec.parse(l)),
      inputShape: INPUT,
      classes: C,
      seed: 100 + i,
    }),
  );
}

/** The ensemble's probabilities computed by hand from the members' logits. */
function byHand(
  members: tf.LayersModel[],
  x: tf.Tensor,
  {
    weights,
    temperature = 1,
    average = 'probabilities',
  }: { weights?: number[]; temperature?: number; average?: 'probabilities' | 'logits' },
): Float64Array {
  const w = weights ?? members.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  const n = x.shape[0] as number;
  const acc = new Float64Array(n * C);
  members.forEach((m, i) => {
    const logits = predictFlat(m, x);
    const term =
      average === 'probabilities' ? softmaxRows(logits, C, temperature) : Float64Array.from(logits);
    for (let j = 0; j < acc.length; j++)
      acc[j] = (acc[j] as number) + ((w[i] as number) / total) * (term[j] as number);
  });
  return average === 'probabilities' ? acc : softmaxRows(acc, C, temperature);
}

const cases: {
  label: string;
  options: { weights?: number[]; temperature?: number; average?: 'probabilities' | 'logits' };
}[] = [
  { label: 'unweighted mean of probabilities', options: {} },
  { label: 'weighted, temperature 2', options: { weights: [1, 2, 0.5], temperature: 2 } },
  { label: 'one member weighted 0', options: { weights: [3, 0, 1] } },
  { label: 'mean of logits, temperature 3', options: { average: 'logits', temperature: 3 } },
  { label: 'weighted mean of logits', options: { average: 'logits', weights: [0.2, 0.3, 0.5] } },
];

for (const { label, options } of cases) {
  test(`ensemble export equals the hand-computed result before and after save/load: ${label}`, async () => {
    const members = makeMembers();
    const x = tf.randomNormal([7, ...INPUT], 0, 2, 'float32', 17);
    const expected = byHand(members, x, options);
    const ensemble = buildAveragingEnsemble(members, options);
    const before = predictFlat(ensemble, x);
    assert.ok(maxAbsDiff(before, expected) < 1e-6, `max abs diff ${maxAbsDiff(before, expected)}`);
    // Outputs are probabilities.
    for (let r = 0; r < 7; r++) {
      const row = before.subarray(r * C, (r + 1) * C);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
    await withTempDir(async (dir) => {
      await saveModel(ensemble, dir);
      const loaded = await loadModel(dir);
      const after = predictFlat(loaded, x);
      assert.deepEqual(after, before);
      assert.ok(maxAbsDiff(after, expected) < 1e-6);
      loaded.dispose();
    });
    ensemble.dispose();
    members.forEach((m) => m.dispose());
    x.dispose();
  });
}

test('the saved ensemble is one model of stock layers, with unique weight names', async () => {
  const members = makeMembers();
  const ensemble = buildAveragingEnsemble(members, { weights: [1, 2, 3], temperature: 2 });
  await withTempDir(async (dir) => {
    await saveModel(ensemble, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
      modelTopology: { class_name: string; config: { layers: { class_name: string }[] } };
      weightsManifest: { weights: { name: string }[] }[];
    };
    assert.equal(json.modelTopology.class_name, 'Model');
    const classes = new Set(json.modelTopology.config.layers.map((l) => l.class_name));
    assert.deepEqual([...classes].sort(), ['Add', 'InputLayer', 'Rescaling', 'Sequential', 'Softmax']);
    const names = json.weightsManifest.flatMap((g) => g.weights.map((w) => w.name));
    assert.equal(new Set(names).size, names.length);
    assert.ok(
      names.every((n) => /^ensemble_m[0-2]_model_/.test(n)),
      names.join(', '),
    );
  });
  ensemble.dispose();
  members.forEach((m) => m.dispose());
});

test('the ensemble owns copies of the members: disposing the members does not break it', () => {
  const members = makeMembers();
  const x = tf.randomNormal([3, ...INPUT], 0, 1, 'float32', 2);
  const expected = byHand(members, x, {});
  const ensemble = buildAveragingEnsemble(members);
  members.forEach((m) => m.dispose());
  assert.ok(maxAbsDiff(predictFlat(ensemble, x), expected) < 1e-6);
  ensemble.dispose();
  x.dispose();
});

test('a single member exports as its softmax', () => {
  const [member] = makeMembers();
  assert.ok(member);
  const x = tf.randomNormal([3, ...INPUT], 0, 1, 'float32', 3);
  const ensemble = buildAveragingEnsemble([member], { temperature: 0.5 });
  assert.ok(maxAbsDiff(predictFlat(ensemble, x), softmaxRows(predictFlat(member, x), C, 0.5)) < 1e-6);
  ensemble.dispose();
  member.dispose();
  x.dispose();
});

test('incompatible members and bad options are ModelSpecErrors', () => {
  const members = makeMembers();
  const other = buildModel({ layers: [], inputShape: [5], classes: C, seed: 1 });
  const wide = buildModel({ layers: [], inputShape: INPUT, classes: C + 1, seed: 1 });
  const expectSpecError = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof ModelSpecError && message.test(e.message));
  expectSpecError(() => buildAveragingEnsemble([]), /no members/);
  expectSpecError(
    () => buildAveragingEnsemble([...members, other]),
    /^members\[3\] \(model\): maps input \[5\]/,
  );
  expectSpecError(() => buildAveragingEnsemble([...members, wide]), /^members\[3\].*to \[5\]/);
  expectSpecError(
    () => buildAveragingEnsemble(members, { weights: [1, 1] }),
    /^weights: expected one weight per member \(3\)/,
  );
  expectSpecError(() => buildAveragingEnsemble(members, { weights: [1, -1, 1] }), /^weights\[1\]/);
  expectSpecError(
    () => buildAveragingEnsemble(members, { weights: [0, 0, 0] }),
    /at least one weight must be positive/,
  );
  expectSpecError(() => buildAveragingEnsemble(members, { temperature: 0 }), /^temperature:/);
  [...members, other, wide].forEach((m) => m.dispose());
});
