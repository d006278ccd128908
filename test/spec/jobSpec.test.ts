import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobSpecError } from '../../core/errors.ts';
import { loadJobFile, parseJobText } from '../../core/spec/loadJob.ts';

const minimal = `
name: tiny
data:
  train: { format: synthetic, count: 100 }
  test: { format: synthetic, count: 50, seed: 1 }
members:
  - name: mlp
    layers: [{ type: dense, units: 8, activation: relu }]
`;

function specError(text: string): JobSpecError {
  try {
    parseJobText(text, 'job.yaml');
  } catch (err) {
    assert.ok(err instanceof JobSpecError, `expected JobSpecError, got ${String(err)}`);
    return err;
  }
  assert.fail('the job was accepted');
}

function lines(err: JobSpecError): string[] {
  return err.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
}

test('a minimal job gets every default filled', () => {
  const job = parseJobText(minimal);
  assert.equal(job.name, 'tiny');
  assert.equal(job.seed, 0);
  assert.equal(job.data.validationSplit, 0.1);
  assert.equal(job.data.normalize, 'none');
  assert.deepEqual(job.ensemble.methods, ['hard', 'soft']);
  assert.equal(job.ensemble.calibrate, false);
  assert.deepEqual(job.runtime, {
    slots: 'auto',
    backend: 'auto',
    maxAttempts: 3,
    checkpointSeconds: 10,
    priority: 'normal',
  });
  assert.equal(job.members.length, 1);
  const m = job.members[0];
  assert.ok(m);
  // The recipe's defaults train as plain fixed-rate training does: no schedule, decay, smoothing,
  // clipping, class weights or early stopping, and no augmentation.
  assert.deepEqual(m.train, {
    epochs: 5,
    batchSize: 128,
    learningRate: 0.001,
    optimizer: 'adam',
    schedule: { type: 'constant', warmupEpochs: 0 },
    weightDecay: 0,
    labelSmoothing: 0,
  });
  assert.equal(m.augment, undefined);
  assert.deepEqual(m.layers, [{ type: 'dense', units: 8, activation: 'relu', useBias: true }]);
  assert.equal(m.weight, 1);
  assert.equal(job.distillation, undefined);
  assert.deepEqual(job.teacher, { members: ['mlp'], softTargets: 'probabilities' });
});

test('replicas expand into members with consecutive seeds; weights by group and by replica', () => {
  const job = parseJobText(`
name: rep
seed: 5
data:
  train: { format: synthetic, count: 100 }
  test: { format: synthetic, count: 50 }
members:
  - { name: a, replicas: 3 }
  - { name: b, seed: 42 }
ensemble:
  weights: { a: 2, a-1: 0.5 }
teacher: { members: [a-0, b] }
`);
  assert.deepEqual(
    job.members.map((m) => [m.name, m.seed, m.replica, m.weight]),
    [
      ['a-0', 1005, 0, 2],
      ['a-1', 1006, 1, 0.5],
      ['a-2', 1007, 2, 2],
      ['b', 42, 0, 1],
    ],
  );
  assert.deepEqual(job.ensemble.weights, [2, 0.5, 2, 1]);
  assert.deepEqual(job.teacher.members, ['a-0', 'b']);
});

test('temperature and alpha lists expand into a sweep plus the baseline', () => {
  const job = parseJobText(`${minimal}
distillation:
  student: { layers: [{ type: dense, units: 4 }] }
  temperature: [2, 4]
  alpha: [0.5, 0.9]
`);
  const d = job.distillation;
  assert.ok(d);
  assert.deepEqual(
    d.runs.map((r) => r.name),
    ['student-T2-a0.5', 'student-T2-a0.9', 'student-T4-a0.5', 'student-T4-a0.9', 'student-baseline'],
  );
  assert.equal(d.shards, 2);
  assert.equal(d.student.seed, 7919);
});

test('a single temperature needs no list', () => {
  const job = parseJobText(`${minimal}
distillation: { student: {}, temperature: 20, alpha: 0.1, baseline: false }
`);
  assert.deepEqual(job.distillation?.runs, [
    { name: 'student-T20-a0.1', kind: 'distilled', temperature: 20, alpha: 0.1, teacherTargets: 'offline' },
  ]);
});

test('every problem is listed by path with the value that was written', () => {
  const err = specError(`
name: bad
data:
  train: { format: synthetic, count: 100 }
  test: { format: idx, images: a.gz }
  validationSplit: 1.5
members:
  - { name: a }
  - { name: b, layers: [{ type: dense, units: 0 }, { type: dens, units: 3 }] }
  - { name: c, train: { epochs: -1, optimizr: adam } }
runtime: { backend: tpu, slots: 0, checkpointSeconds: -1 }
`);
  const got = lines(err);
  for (const expected of [
    'data.test.labels: expected a non-empty string, but it is missing',
    'data.validationSplit: expected a number in [0, 1), got 1.5',
    'members[1].layers[0].units: expected a positive integer, got 0',
    'members[2].train.epochs: expected a positive integer, got -1',
    'members[2].train.optimizr: unknown key (check its spelling and place)',
    'runtime.slots: expected a positive integer, got 0',
    'runtime.checkpointSeconds: expected a number >= 0, got -1',
  ]) {
    assert.ok(got.includes(expected), `missing "${expected}" in:\n${got.join('\n')}`);
  }
  assert.ok(
    got.some(
      (l) =>
        l.startsWith('members[1].layers[1].type: expected one of "dense", "conv2d"') &&
        l.endsWith('got "dens"'),
    ),
    got.join('\n'),
  );
  assert.ok(
    got.some((l) => l.startsWith('runtime.backend: expected one of') && l.endsWith('got "tpu"')),
    got.join('\n'),
  );
  assert.match(err.message, /^invalid job spec in job\.yaml \(\d+ problems\):/);
});

test('checkpointSeconds: 0 (every epoch) is allowed; more than a day is refused with the limit named', () => {
  const every = parseJobText(`${minimal}runtime: { checkpointSeconds: 0 }\n`);
  assert.equal(every.runtime.checkpointSeconds, 0);
  assert.deepEqual(lines(specError(`${minimal}runtime: { checkpointSeconds: 1e9 }\n`)), [
    'runtime.checkpointSeconds: expected at most 86400 seconds (the limit), got 1000000000',
  ]);
});

test('unknown top-level keys and missing required sections are errors', () => {
  const got = lines(specError('name: x\nmembrs: []\n'));
  assert.ok(got.includes('membrs: unknown key (check its spelling and place)'), got.join('\n'));
  assert.ok(
    got.some((l) => l.startsWith('data: expected an object')),
    got.join('\n'),
  );
  assert.ok(
    got.some((l) => l.startsWith('members: expected a list, but it is missing')),
    got.join('\n'),
  );
});

test('names that must refer to members are checked, and all of them reported', () => {
  const got = lines(
    specError(`${minimal.replace('name: mlp', 'name: mlp\n  - name: mlp')}
ensemble: { methods: [hard, stacking], weights: { nope: 1 } }
teacher: { members: [ghost] }
data_extra: 1
`),
  );
  assert.deepEqual(got, ['data_extra: unknown key (check its spelling and place)']);
  const cross = lines(
    specError(`${minimal.replace('name: mlp', 'name: mlp\n  - name: mlp')}
ensemble: { methods: [hard, stacking], weights: { nope: 1 } }
teacher: { members: [ghost] }
`),
  );
  assert.deepEqual(cross, [
    'members[1].name: member name "mlp" is already used by members[0]',
    'ensemble.weights.nope: no member has this name',
    'teacher.members[0]: no member is named "ghost"',
  ]);
});

test('stacking needs a validation split; all-zero weights are refused', () => {
  const got = lines(
    specError(
      minimal.replace('  train: {', '  validationSplit: 0\n  train: {') +
        'ensemble: { methods: [soft, stacking], weights: { mlp: 0 } }\n',
    ),
  );
  assert.deepEqual(got, [
    'ensemble.weights: all member weights are 0; at least one must be positive',
    'data.validationSplit: the stacking combiner trains on the validation split: set validationSplit > 0',
  ]);
});

test('ensemble.calibrate is carried into the job, needs a validation split and a boolean', () => {
  const on = parseJobText(`${minimal}ensemble: { calibrate: true }\n`);
  assert.equal(on.ensemble.calibrate, true);
  assert.deepEqual(
    lines(
      specError(
        minimal.replace('  train: {', '  validationSplit: 0\n  train: {') + 'ensemble: { calibrate: true }\n',
      ),
    ),
    [
      'data.validationSplit: ensemble.calibrate fits its temperature on the validation split: set validationSplit > 0',
    ],
  );
  assert.deepEqual(lines(specError(`${minimal}ensemble: { calibrate: yes please }\n`)), [
    'ensemble.calibrate: expected true or false, got "yes please"',
  ]);
});

test('YAML syntax errors and duplicate keys name the line', () => {
  const syntax = lines(specError('name: x\nmembers: [\n'));
  assert.ok(
    syntax.length > 0 && syntax.every((l) => /^line \d+, column \d+: YAML: /.test(l)),
    syntax.join('\n'),
  );
  const dup = lines(specError('name: x\nname: y\n'));
  assert.ok(
    dup.some((l) => l.startsWith('line 2, column 1: YAML:') && /unique/i.test(l)),
    dup.join('\n'),
  );
  assert.deepEqual(lines(specError('')), ['the job file is empty']);
  assert.deepEqual(lines(specError('- 1\n- 2\n')), [
    'expected a mapping of keys (name, data, members, …) at the top level',
  ]);
});

test('JSON job text is accepted', () => {
  const job = parseJobText(
    JSON.stringify({
      name: 'j',
      data: {
        train: { format: 'mnist-bundled', count: 100 },
        test: { format: 'mnist-bundled', start: 9000, count: 50 },
      },
      members: [{ name: 'm' }],
    }),
  );
  assert.equal(job.data.train.format, 'mnist-bundled');
});

test('loadJobFile reads a file, names it in errors, and returns its folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-spec-'));
  try {
    const file = join(dir, 'job.yaml');
    await writeFile(file, minimal);
    const loaded = await loadJobFile(file);
    assert.equal(loaded.baseDir, dir);
    assert.equal(loaded.job.name, 'tiny');
    await assert.rejects(loadJobFile(join(dir, 'missing.yaml')), (err: unknown) => {
      assert.ok(err instanceof JobSpecError);
      assert.match(err.message, /missing\.yaml/);
      assert.match(err.message, /no such file/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('model files: model, weights (default random) and train: false are carried into the job', () => {
  const job = parseJobText(`
name: files
data:
  train: { format: synthetic, count: 100 }
  test: { format: synthetic, count: 50 }
members:
  - { name: ext, model: models/ext/model.json, weights: file, train: false }
  - { name: res, model: models/res/model.json, replicas: 2, train: { epochs: 2 } }
  - { name: mlp, layers: [{ type: dense, units: 4 }] }
distillation:
  student: { model: models/small/model.json, weights: file }
`);
  const [ext, res0, res1, mlp] = job.members;
  assert.deepEqual(ext?.model, { path: 'models/ext/model.json', weights: 'file' });
  assert.equal(ext?.pretrained, true);
  assert.deepEqual(res0?.model, { path: 'models/res/model.json', weights: 'random' });
  assert.equal(res0?.pretrained, undefined);
  assert.equal(res1?.train.epochs, 2);
  assert.deepEqual(res0?.layers, []);
  // A member built from layers carries no model fields: its resolved form is what it always was.
  assert.deepEqual(Object.keys(mlp ?? {}), [
    'name',
    'group',
    'replica',
    'seed',
    'bootstrap',
    'layers',
    'train',
    'weight',
  ]);
  assert.deepEqual(job.distillation?.student.model, { path: 'models/small/model.json', weights: 'file' });
});

test('model-file fields that do not go together are refused at their paths', () => {
  const err = specError(`
name: files
data:
  train: { format: synthetic, count: 100 }
  test: { format: synthetic, count: 50 }
members:
  - { name: a, model: a/model.json, layers: [{ type: dense, units: 4 }] }
  - { name: b, train: false }
  - { name: c, model: c/model.json, train: false, bootstrap: true }
  - { name: d, weights: file }
  - { name: e, train: true }
`);
  assert.deepEqual(lines(err), [
    'members[4].train: expected train settings ({ epochs, batchSize, … }) or false (a pretrained model file), got true',
  ]);
  const cross = specError(`
name: files
data:
  train: { format: synthetic, count: 100 }
  test: { format: synthetic, count: 50 }
members:
  - { name: a, model: a/model.json, layers: [{ type: dense, units: 4 }] }
  - { name: b, train: false }
  - { name: c, model: c/model.json, train: false, bootstrap: true }
  - { name: d, weights: file }
`);
  assert.deepEqual(lines(cross), [
    'members[0].layers: a model file brings its own layers: give model or layers, not both',
    'members[1].train: a pretrained member (train: false) only predicts: it needs model: path/to/model.json with weights: file',
    "members[2].weights: a pretrained member (train: false) predicts with its file's weights: set weights: file",
    'members[2].bootstrap: a pretrained member (train: false) is not trained on any sample',
    'members[3].weights: weights: file starts from the weights of a model file: it needs model: path/to/model.json',
  ]);
});
