import assert from 'node:assert/strict';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DatasetError } from '../../core/errors.ts';
import { buildModel } from '../../core/model/buildModel.ts';
import { loadModel, saveModel } from '../../core/model/fileIO.ts';
import { layerSpec, type LayerSpecInput } from '../../core/spec/layers.ts';
import { predictFlat, useCpu, weightValues, withTempDir } from './helpers.ts';

before(useCpu);

const convSpec: LayerSpecInput[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
  { type: 'batchNormalization' },
  { type: 'maxPooling2d' },
  { type: 'dropout', rate: 0.2 },
  { type: 'dense', units: 6, activation: 'relu' },
];
const convModel = (seed: number): tf.Sequential =>
  buildModel({ layers: convSpec.map((l) => layerSpec.parse(l)), inputShape: [8, 8, 1], classes: 3, seed });

test('a conv model round-trips with identical weights and predictions', async () => {
  const model = convModel(1);
  // Move BatchNormalization's moving statistics away from their initial values, so they are tested too.
  model.compile({
    optimizer: 'sgd',
    loss: (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p),
  });
  const xs = tf.randomNormal([16, 8, 8, 1], 0, 1, 'float32', 4);
  await model.fit(
    xs,
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 16 }, (_, i) => i % 3),
        'int32',
      ),
      3,
    ),
    { epochs: 1, verbose: 0 },
  );
  await withTempDir(async (dir) => {
    const result = await saveModel(model, join(dir, 'nested', 'member-0'));
    assert.ok((result.modelArtifactsInfo.weightDataBytes ?? 0) > 0);
    const loaded = await loadModel(join(dir, 'nested', 'member-0'));
    assert.deepEqual(weightValues(loaded), weightValues(model));
    assert.deepEqual(predictFlat(loaded, xs), predictFlat(model, xs));
    assert.deepEqual(
      loaded.layers.map((l) => l.name),
      model.layers.map((l) => l.name),
    );
    loaded.dispose();
  });
  model.dispose();
  xs.dispose();
});

test('model.json has the standard keys and weights.bin the bytes the manifest describes', async () => {
  const model = convModel(2);
  await withTempDir(async (dir) => {
    await saveModel(model, dir);
    assert.deepEqual((await readdir(dir)).sort(), ['model.json', 'weights.bin']); // no temporary files left
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['modelTopology', 'weightsManifest', 'format', 'generatedBy'])
      assert.ok(key in json, key);
    assert.equal(json['format'], 'layers-model');
    const manifest = json['weightsManifest'] as {
      paths: string[];
      weights: { shape: number[]; dtype: string }[];
    }[];
    assert.equal(manifest.length, 1);
    assert.deepEqual(manifest[0]?.paths, ['weights.bin']);
    const floats = manifest[0]?.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0) ?? 0;
    assert.equal(floats, model.countParams());
    assert.equal((await stat(join(dir, 'weights.bin'))).size, floats * 4);
  });
  model.dispose();
});

test("the saved folder loads through tfjs's own HTTP loader, as a browser would fetch it", async () => {
  const model = convModel(3);
  await withTempDir(async (dir) => {
    await saveModel(model, dir);
    const fetched: string[] = [];
    const fetchFunc = async (url: string | URL | Request): Promise<Response> => {
      const file = new URL(url instanceof Request ? url.url : url).pathname.split('/').at(-1) ?? '';
      fetched.push(file);
      return new Response(await readFile(join(dir, file)));
    };
    const loaded = await tf.loadLayersModel(tf.io.http('http://models.example/m/model.json', { fetchFunc }));
    assert.deepEqual(fetched, ['model.json', 'weights.bin']);
    assert.deepEqual(weightValues(loaded), weightValues(model));
    loaded.dispose();
  });
  model.dispose();
});

test('saving over an existing model replaces it; loadModel also takes the model.json path', async () => {
  const first = convModel(4);
  const second = buildModel({
    layers: [layerSpec.parse({ type: 'dense', units: 2 })],
    inputShape: [3],
    classes: 2,
    seed: 5,
  });
  await withTempDir(async (dir) => {
    await saveModel(first, dir);
    await saveModel(second, dir);
    assert.deepEqual((await readdir(dir)).sort(), ['model.json', 'weights.bin']);
    const loaded = await loadModel(join(dir, 'model.json'));
    assert.deepEqual(weightValues(loaded), weightValues(second));
    loaded.dispose();
  });
  first.dispose();
  second.dispose();
});

test('missing, torn or hostile saves are DatasetErrors naming the file', async () => {
  const model = convModel(6);
  await withTempDir(async (dir) => {
    await assert.rejects(loadModel(join(dir, 'absent')), (e: unknown) => {
      assert.ok(e instanceof DatasetError);
      assert.equal(e.file, join(dir, 'absent', 'model.json'));
      return true;
    });

    await saveModel(model, dir);
    await truncate(join(dir, 'weights.bin'), 100);
    await assert.rejects(
      loadModel(dir),
      /weights hold 100 bytes but the weightsManifest describes \d+; the model was not saved completely/,
    );

    await writeFile(join(dir, 'model.json'), '{"modelTopology": ');
    await assert.rejects(
      loadModel(dir),
      (e: unknown) => e instanceof DatasetError && /not valid JSON/.test(e.message),
    );

    await writeFile(join(dir, 'model.json'), JSON.stringify({ modelTopology: {} }));
    await assert.rejects(loadModel(dir), /has no weightsManifest/);

    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }),
    );
    await assert.rejects(loadModel(dir), /points outside the model folder/);
  });
  model.dispose();
});
