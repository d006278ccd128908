import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelFileError } from '../../core/errors.ts';
import { modelFilesFromUpload } from '../../core/model/modelFile/modelFilesFromUpload.ts';
import { readModelFiles } from '../../core/model/modelFile/readModelFiles.ts';
import { KERAS_FIXTURE_DIR } from '../fixtures/models/kerasFixture.ts';
import { REPO_ROOT } from '../pipeline/cli.ts';

/**
 * A model file sent as bytes (how `chorus submit` is to carry them) passes the same checks as one read
 * from disk: the sharded, quantized Keras fixture comes out the same either way.
 */

const MODEL_JSON = join(REPO_ROOT, 'test', 'fixtures', 'models', KERAS_FIXTURE_DIR, 'model.json');

test('uploaded bytes of a model file give what reading it from disk gives', async () => {
  const fromDisk = await readModelFiles(MODEL_JSON, { weights: true });
  const uploaded = new Map(fromDisk.weights.map((w) => [w.path, w.bytes]));
  const fromUpload = modelFilesFromUpload('ext/model.json', fromDisk.json, uploaded, { weights: true });
  assert.deepEqual(fromUpload.weights, fromDisk.weights);
  assert.deepEqual(fromUpload.parsed, fromDisk.parsed);
  assert.equal(fromUpload.file, 'ext/model.json');
  assert.deepEqual(modelFilesFromUpload('x', fromDisk.json, new Map(), { weights: false }).weights, []);
});

test('a missing, extra or wrongly sized weights file sent with a model file is refused, naming it', async () => {
  const fromDisk = await readModelFiles(MODEL_JSON, { weights: true });
  const [first, second] = fromDisk.weights;
  assert.ok(first && second);
  const cases: [Map<string, Uint8Array>, RegExp][] = [
    [new Map([[first.path, first.bytes]]), /its weights file group1-shard2of2\.bin .* is missing/],
    [
      new Map([...fromDisk.weights.map((w) => [w.path, w.bytes] as const), ['extra.bin', new Uint8Array(4)]]),
      /the weights file extra\.bin was sent but its weightsManifest does not name it/,
    ],
    [
      new Map([
        [first.path, first.bytes],
        [second.path, second.bytes.subarray(1)],
      ]),
      /hold 843 bytes, but its weights take 844/,
    ],
  ];
  for (const [weights, message] of cases) {
    assert.throws(
      () => modelFilesFromUpload('ext/model.json', fromDisk.json, weights, { weights: true }),
      (err: unknown) =>
        err instanceof ModelFileError &&
        message.test(err.message) &&
        err.message.startsWith('ext/model.json: '),
    );
  }
});
