import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../core/data/dataset.ts';
import { classesOf, validateDataset } from '../../core/data/validate.ts';
import { rejectsDataset } from './helpers.ts';

function ds(x: number[], y: number[], sampleShape: number[], classes = 3): Dataset {
  return { x: Float32Array.from(x), y: Int32Array.from(y), count: y.length, sampleShape, classes };
}

test('a clean dataset passes', () => {
  assert.doesNotThrow(() => validateDataset(ds([0, 1, 2, 3], [0, 2], [2]), 'f'));
  assert.doesNotThrow(() => validateDataset(ds([], [], [2]), 'f'));
});

test('NaN and ±Infinity features name the first sample and feature', async () => {
  await rejectsDataset(
    () => validateDataset(ds([0, 1, 2, 3, NaN, 5], [0, 1, 2], [2]), 'f.bin'),
    'f.bin',
    /sample 2, feature 0: value NaN/,
  );
  await rejectsDataset(
    () => validateDataset(ds([0, Infinity, 2, NaN], [0, 1], [2]), 'f'),
    'f',
    /sample 0, feature 1: value Infinity/,
  );
  await rejectsDataset(
    () => validateDataset(ds([0, 1, 2, -Infinity], [0, 1], [2, 1]), 'f'),
    'f',
    /sample 1, feature 1: value -Infinity/,
  );
});

test('labels outside [0, classes) are refused; an explicit class count overrides ds.classes', async () => {
  await rejectsDataset(
    () => validateDataset(ds([0, 0], [0, 3], [1]), 'f'),
    'f',
    /sample 1: label 3 is outside the class range \[0, 3\)/,
  );
  await rejectsDataset(() => validateDataset(ds([0, 0], [-1, 0], [1]), 'f'), 'f', /sample 0: label -1/);
  await rejectsDataset(
    () => validateDataset(ds([0, 0], [0, 2], [1]), 'f', 2),
    'f',
    /label 2 is outside the class range \[0, 2\)/,
  );
});

test('length mismatches are refused; separate feature and label files are named correctly', async () => {
  const files = { features: 'x.npy', labels: 'y.npy' };
  await rejectsDataset(
    () => validateDataset(ds([0, 1, 2], [0, 1], [2]), files),
    'x.npy',
    /expected 2 samples × 2 features = 4 values, got 3/,
  );
  const badY: Dataset = { ...ds([0, 1], [0], [1]), count: 2 };
  await rejectsDataset(() => validateDataset(badY, files), 'y.npy', /count mismatch: 2 samples but 1 labels/);
  await rejectsDataset(() => validateDataset(ds([0, 1], [0, 5], [1]), files), 'y.npy', /label 5/);
  await rejectsDataset(() => validateDataset(ds([0, NaN], [0, 1], [1]), files), 'x.npy', /NaN/);
  await rejectsDataset(
    () => validateDataset(ds([0, 1], [0, 1], [0]), files),
    'x.npy',
    /invalid sample shape/,
  );
});

test('classesOf is the largest label + 1', () => {
  assert.equal(classesOf(Int32Array.from([3, 0, 7, 2])), 8);
  assert.equal(classesOf({ y: Int32Array.from([0]) }), 1);
  assert.equal(classesOf(new Int32Array(0)), 0);
});
