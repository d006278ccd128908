import assert from 'node:assert/strict';
import { readdir, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { join, parse, resolve } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { loadModelFromStore, saveModelToStore } from '../../core/artifacts/modelIO.ts';
import { ArtifactNotFoundError, ModelFileError, NonRetryableError } from '../../core/errors.ts';
import { buildModel } from '../../core/model/buildModel.ts';
import { loadModel, saveModel } from '../../core/model/fileIO.ts';
import { layerSpec, type LayerSpecInput } from '../../core/spec/layers.ts';
import { predictFlat, useCpu, weightValues, withTempDir } from '../model/helpers.ts';

before(useCpu);

const convSpec: LayerSpecInput[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
  { type: 'batchNormalization' },
  { type: 'maxPooling2d' },
  { type: 'dropout', rate: 0.2 },
  { type: 'dense', units: 6, activation: 'relu' },
];
const convModel = (seed: number): tf.LayersModel =>
  buildModel({ layers: convSpec.map((l) => layerSpec.parse(l)), inputShape: [8, 8, 1], classes: 3, seed });
const denseModel = (seed: number): tf.LayersModel =>
  buildModel({ layers: [layerSpec.parse({ type: 'dense', units: 2 })], inputShape: [3], classes: 2, seed });

/** An in-memory ArtifactStore that records every call, to check what the handlers do and in what order. */
class MemoryStore implements ArtifactStore {
  readonly files = new Map<string, Uint8Array>();
  readonly calls: string[] = [];
  failPut: ((key: string) => boolean) | undefined;

  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.calls.push(`put ${key}`);
    if (this.failPut?.(key)) throw new Error(`disk full writing ${key}`);
    this.files.set(key, bytes.slice());
  }
  async get(key: string): Promise<Uint8Array> {
    const bytes = this.files.get(key);
    if (!bytes) throw new ArtifactNotFoundError(key);
    return bytes;
  }
  async has(key: string): Promise<boolean> {
    return this.files.has(key);
  }
  async delete(key: string): Promise<void> {
    this.calls.push(`delete ${key}`);
    this.files.delete(key);
  }
  async deletePrefix(prefix: string): Promise<void> {
    this.calls.push(`deletePrefix ${prefix}`);
    for (const key of [...this.files.keys()]) {
      if (key === prefix || key.startsWith(`${prefix}/`)) this.files.delete(key);
    }
  }
}

const fileError = (pattern: RegExp, key?: string) => (e: unknown) => {
  assert.ok(e instanceof ModelFileError, `expected a ModelFileError, got ${String(e)}`);
  assert.ok(e instanceof NonRetryableError);
  assert.match(e.message, pattern);
  if (key !== undefined) assert.equal(e.key, key);
  return true;
};

test('folder API: a trained conv model round-trips with identical weights and predictions', async () => {
  const model = convModel(1);
  // Move BatchNormalization's moving statistics away from their initial values, so they are tested too.
  model.compile({
    optimizer: 'sgd',
    loss: (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p),
  });
  const xs = tf.randomNormal([16, 8, 8, 1], 0, 1, 'float32', 4);
  const ys = tf.oneHot(
    tf.tensor1d(
      [...Array(16).keys()].map((i) => i % 3),
      'int32',
    ),
    3,
  );
  await model.fit(xs, ys, { epochs: 1, verbose: 0 });
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
  tf.dispose([xs, ys]);
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
    const manifest = json['weightsManifest'] as { paths: string[]; weights: { shape: number[] }[] }[];
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

test('saving over an existing model replaces it; loadModel also takes a model.json path of any name', async () => {
  const first = convModel(4);
  const second = denseModel(5);
  await withTempDir(async (dir) => {
    await saveModel(first, dir);
    await saveModel(second, dir);
    assert.deepEqual((await readdir(dir)).sort(), ['model.json', 'weights.bin']);
    const loaded = await loadModel(join(dir, 'model.json'));
    assert.deepEqual(weightValues(loaded), weightValues(second));
    loaded.dispose();
    await rename(join(dir, 'model.json'), join(dir, 'renamed.json'));
    const renamed = await loadModel(join(dir, 'renamed.json'));
    assert.deepEqual(weightValues(renamed), weightValues(second));
    renamed.dispose();
  });
  first.dispose();
  second.dispose();
});

test('store API: a round trip through FsArtifactStore lays the model out under its prefix', async () => {
  const model = convModel(7);
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    await saveModelToStore(model, store, 'models/members/m0');
    assert.deepEqual((await readdir(join(dir, 'models', 'members', 'm0'))).sort(), [
      'model.json',
      'weights.bin',
    ]);
    const loaded = await loadModelFromStore(store, 'models/members/m0');
    assert.deepEqual(weightValues(loaded), weightValues(model));
    loaded.dispose();
    // The same bytes are a plain folder, too.
    const viaFolder = await loadModel(join(dir, 'models', 'members', 'm0'));
    assert.deepEqual(weightValues(viaFolder), weightValues(model));
    viaFolder.dispose();
  });
  model.dispose();
});

test('store API: a round trip through another store, with model.json removed first and written last', async () => {
  const model = denseModel(8);
  const store = new MemoryStore();
  await saveModelToStore(model, store, 'models/students/s0');
  assert.deepEqual(store.calls, [
    'delete models/students/s0/model.json',
    'put models/students/s0/weights.bin',
    'put models/students/s0/model.json',
  ]);
  const loaded = await loadModelFromStore(store, 'models/students/s0');
  assert.deepEqual(weightValues(loaded), weightValues(model));
  loaded.dispose();

  // A save that dies writing the weights leaves no model.json behind, not the old one over new weights.
  store.failPut = (key) => key.endsWith('weights.bin');
  await assert.rejects(saveModelToStore(model, store, 'models/students/s0'), /disk full/);
  assert.equal(await store.has('models/students/s0/model.json'), false);
  await assert.rejects(loadModelFromStore(store, 'models/students/s0'), (e: unknown) => {
    assert.ok(e instanceof ArtifactNotFoundError);
    assert.equal(e.key, 'models/students/s0/model.json');
    return true;
  });
  model.dispose();
});

test('sharded weights in subfolders load; paths escaping the prefix are refused even if the store has them', async () => {
  const model = denseModel(9);
  const store = new MemoryStore();
  await saveModelToStore(model, store, 'm');
  const json = JSON.parse(new TextDecoder().decode(await store.get('m/model.json'))) as tf.io.ModelJSON;
  const weights = await store.get('m/weights.bin');
  const cut = 8; // split mid-tensor: shards are one byte stream
  await store.put('m/shards/group1-shard1of2.bin', weights.subarray(0, cut));
  await store.put('m/group1-shard2of2.bin', weights.subarray(cut));
  const group = json.weightsManifest[0];
  assert.ok(group);
  group.paths = ['shards/group1-shard1of2.bin', './group1-shard2of2.bin'];
  await store.put('m/model.json', new TextEncoder().encode(JSON.stringify(json)));
  const loaded = await loadModelFromStore(store, 'm');
  assert.deepEqual(weightValues(loaded), weightValues(model));
  loaded.dispose();

  await store.put('other/weights.bin', weights);
  for (const bad of [
    '../other/weights.bin',
    'shards/../../other/weights.bin',
    '/m/weights.bin',
    'C:\\w.bin',
    'http://x/w.bin',
  ]) {
    group.paths = [bad];
    await store.put('m/model.json', new TextEncoder().encode(JSON.stringify(json)));
    await assert.rejects(
      loadModelFromStore(store, 'm'),
      fileError(/points outside the model folder/, 'm/model.json'),
    );
  }
  model.dispose();
});

test('missing, torn, malformed or hostile saves are clear errors naming the key', async () => {
  const model = convModel(6);
  await withTempDir(async (dir) => {
    await assert.rejects(loadModel(join(dir, 'absent')), (e: unknown) => {
      assert.ok(e instanceof ArtifactNotFoundError);
      // The key is the whole path (the folder API roots its store at the filesystem root).
      assert.equal(resolve(parse(dir).root, e.key), join(dir, 'absent', 'model.json'));
      return true;
    });

    const jsonPath = join(dir, 'model.json');
    await saveModel(model, dir);
    await truncate(join(dir, 'weights.bin'), 100);
    await assert.rejects(
      loadModel(dir),
      fileError(
        /weights hold 100 bytes but the weightsManifest describes \d+; the model was not saved completely/,
      ),
    );
    // The message names the file by its full path.
    await assert.rejects(
      loadModel(dir),
      (e: unknown) => e instanceof Error && e.message.startsWith(`${jsonPath}: `),
    );

    await writeFile(jsonPath, '{"modelTopology": ');
    await assert.rejects(loadModel(dir), fileError(/not valid JSON/));
    await writeFile(jsonPath, '[1, 2]');
    await assert.rejects(loadModel(dir), fileError(/expected a JSON object/));
    await writeFile(jsonPath, JSON.stringify({ modelTopology: {} }));
    await assert.rejects(loadModel(dir), fileError(/has no weightsManifest/));
    await writeFile(jsonPath, JSON.stringify({ weightsManifest: [] }));
    await assert.rejects(loadModel(dir), fileError(/has no modelTopology/));
    const withWeight = (weight: object) =>
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [weight] }] });
    await writeFile(jsonPath, withWeight({ name: 'w', shape: [2, -1], dtype: 'float32' }));
    await assert.rejects(
      loadModel(dir),
      fileError(/weightsManifest\[0\]\.weights\[0\]\.shape must be an array of non-negative integers/),
    );
    await writeFile(jsonPath, withWeight({ name: 'w', shape: [2] }));
    await assert.rejects(
      loadModel(dir),
      fileError(/weightsManifest\[0\]\.weights\[0\]\.dtype must be a string/),
    );
    await writeFile(
      jsonPath,
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }),
    );
    await assert.rejects(loadModel(dir), fileError(/points outside the model folder/));
    await writeFile(
      jsonPath,
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['gone.bin'], weights: [] }] }),
    );
    await assert.rejects(loadModel(dir), (e: unknown) => {
      assert.ok(e instanceof ModelFileError);
      assert.equal(e.message, `${join(dir, 'gone.bin')}: weights file listed in ${jsonPath} is missing`);
      assert.ok(e.cause instanceof ArtifactNotFoundError);
      return true;
    });
  });

  // Through a store, errors name the store key.
  const store = new MemoryStore();
  await store.put('models/members/m1/model.json', new TextEncoder().encode('not json'));
  await assert.rejects(
    loadModelFromStore(store, 'models/members/m1'),
    fileError(/^models\/members\/m1\/model\.json: not valid JSON/, 'models/members/m1/model.json'),
  );
  model.dispose();
});
