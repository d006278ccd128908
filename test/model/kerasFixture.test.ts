import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { makeSynthetic } from '../../core/data/synthetic.ts';
import { loadModel } from '../../core/model/fileIO.ts';
import { loadModelFile } from '../../core/model/modelFile/loadModelFile.ts';
import { REPO_ROOT } from '../pipeline/cli.ts';
import {
  KERAS_FIXTURE_DATA,
  KERAS_FIXTURE_DIR,
  kerasFixtureFiles,
  trainedWeights,
} from '../fixtures/models/kerasFixture.ts';
import { maxAbsDiff, predictFlat, softmaxRows, useCpu } from './helpers.ts';

/**
 * The Keras-converter-style model file (test/fixtures/models/keras-functional: Functional, model_config,
 * uint8/uint16/float16 quantized weights in two shards) loads with stock tfjs and with Chorus, and Chorus
 * reads its final Activation('softmax') through.
 */

before(useCpu);

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'models', KERAS_FIXTURE_DIR);

test('the fixture on disk is what kerasFixture.ts builds', async () => {
  for (const [name, bytes] of Object.entries(await kerasFixtureFiles())) {
    const onDisk = await readFile(join(DIR, name));
    assert.ok(onDisk.equals(Buffer.from(bytes)), `${name} is stale: run test/fixtures/models/generate.ts`);
  }
});

test('tfjs dequantizes its uint8, uint16 and float16 weights to the trained values, within their precision', async () => {
  const model = await loadModel(join(DIR, 'model.json'));
  const manifest = (JSON.parse(await readFile(join(DIR, 'model.json'), 'utf8')) as tf.io.ModelJSON)
    .weightsManifest[0]!;
  const trained = await trainedWeights();
  const loaded = model.getWeights().map((w) => w.dataSync() as Float32Array);
  assert.equal(loaded.length, 6);
  manifest.weights.forEach((spec, i) => {
    const q = spec.quantization;
    const error = maxAbsDiff(loaded[i]!, trained[i]!);
    const largest = Math.max(...trained[i]!.map(Math.abs));
    // Affine quantization rounds to the nearest level; float16 keeps 11 significant bits.
    const bound = q?.dtype === 'float16' ? largest * 2 ** -11 : q ? (q.scale ?? 0) / 2 + 1e-7 : 0;
    assert.ok(error <= bound, `${spec.name} (${q?.dtype ?? 'float32'}): error ${error} > ${bound}`);
    if (q?.dtype === 'uint8') assert.ok(new Set(loaded[i]).size <= 256, spec.name);
  });
  model.dispose();
});

test('Chorus loads it as logits (its Activation softmax read through) and it classifies the synthetic data', async () => {
  const reference = await loadModel(join(DIR, 'model.json'));
  // The fixtures folder as a store: the model is the folder `keras-functional` in it.
  const { model, readThrough } = await loadModelFile(new FsArtifactStore(join(DIR, '..')), {
    prefix: KERAS_FIXTURE_DIR,
    weights: 'file',
    seed: 1,
    training: false,
    describe: 'keras fixture',
  });
  assert.match(readThrough ?? '', /final Activation layer "activation" is left out/);
  const test = makeSynthetic(KERAS_FIXTURE_DATA.test);
  const x = tf.tensor2d(test.x, [test.count, 8]);
  const logits = predictFlat(model, x);
  const probabilities = predictFlat(reference, x);
  assert.ok(maxAbsDiff(softmaxRows(logits, 3), probabilities) < 1e-6);
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    const row = Array.from(probabilities.subarray(i * 3, i * 3 + 3));
    if (row.indexOf(Math.max(...row)) === test.y[i]) correct++;
  }
  // Three overlapping blobs (separation 2): well above chance (1/3), not perfect.
  assert.ok(correct / test.count > 0.7, `accuracy ${correct / test.count}`);
  x.dispose();
  model.dispose();
  reference.dispose();
});
