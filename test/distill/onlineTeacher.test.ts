import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { loadModelFromStore, saveModelToStore } from '../../core/artifacts/modelIO.ts';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { makeSynthetic } from '../../core/data/synthetic.ts';
import { OnlineTeacherModels } from '../../core/distill/onlineTeacher.ts';
import { teacherSoftTargets } from '../../core/ensemble/softTargets.ts';
import { buildModel } from '../../core/model/buildModel.ts';
import type { ResolvedMember } from '../../core/spec/resolvedJob.ts';
import { trainSettings } from '../../core/spec/job.ts';
import { predictLogits, trainLoop } from '../../core/train/trainLoop.ts';

before(async () => {
  await selectBackend('wasm');
});

const data = makeSynthetic({ count: 300, features: 12, classes: 3, separation: 2, seed: 4 });

function member(name: string, seed: number): ResolvedMember {
  return {
    name,
    group: name,
    replica: 0,
    seed,
    bootstrap: false,
    layers: [{ type: 'dense', units: 16, activation: 'relu', useBias: true }],
    train: trainSettings.parse({}),
    weight: 1,
  };
}

const members = [member('a', 1), member('b', 2)];
const weights = [1, 3];
const studentModel = () =>
  buildModel({
    layers: [{ type: 'dense', units: 8, activation: 'relu', useBias: true }],
    inputShape: [12],
    classes: 3,
    seed: 9,
    name: 's',
  });

async function withTeacher(fn: (store: FsArtifactStore) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'chorus-online-teacher-'));
  try {
    const store = new FsArtifactStore(root);
    for (const m of members) {
      const model = buildModel({
        layers: m.layers,
        inputShape: [12],
        classes: 3,
        seed: m.seed,
        name: m.name,
      });
      await saveModelToStore(model, store, artifactKeys.memberModel(m.name));
      model.dispose();
    }
    await fn(store);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The offline soft targets: each member's logits on the whole split (as soft-label shards write them). */
async function offlineTargets(store: FsArtifactStore, temperature: number, mode: 'probabilities' | 'logits') {
  const logits: Float32Array[] = [];
  for (const m of members) {
    const model = await loadModelFromStore(store, artifactKeys.memberModel(m.name));
    logits.push(predictLogits(model, data));
    model.dispose();
  }
  return teacherSoftTargets(logits, 3, temperature, mode, weights);
}

test('online targets equal the offline soft labels, batch by batch, in both soft-target modes', async () => {
  await withTeacher(async (store) => {
    for (const mode of ['probabilities', 'logits'] as const) {
      const teacher = await OnlineTeacherModels.load(store, members, weights, [12], 3, mode);
      const offline = await offlineTargets(store, 4, mode);
      const targets = teacher.targetsAt(4);
      for (let start = 0; start < data.count; start += 64) {
        const count = Math.min(64, data.count - start);
        const batch = new Float32Array(64 * 12);
        batch.set(data.x.subarray(start * 12, (start + count) * 12));
        assert.deepEqual(
          targets(batch, count),
          offline.subarray(start * 3, (start + count) * 3),
          `${mode} @ ${start}`,
        );
      }
      teacher.dispose();
    }
  });
});

test('a student distilled online (no augmentation) ends with the same weights as one distilled offline', async () => {
  await withTeacher(async (store) => {
    const teacher = await OnlineTeacherModels.load(store, members, weights, [12], 3, 'probabilities');
    const softTargets = await offlineTargets(store, 2, 'probabilities');
    const train = async (distill: Parameters<typeof trainLoop>[0]['distill']) => {
      const model = studentModel();
      const optimizer = tf.train.adam(0.01);
      const run = await trainLoop({
        model,
        optimizer,
        data,
        classes: 3,
        epochs: 2,
        batchSize: 32,
        seed: 5,
        distill,
      });
      const w = model.getWeights().map((t) => Array.from(t.dataSync()));
      model.dispose();
      optimizer.dispose();
      return { w, run };
    };
    const offline = await train({ softTargets, temperature: 2, alpha: 0.7 });
    const online = await train({ teacher: teacher.targetsAt(2), temperature: 2, alpha: 0.7 });
    assert.deepEqual(online.w, offline.w);
    assert.deepEqual(online.run.history.loss, offline.run.history.loss);
    assert.ok(online.run.teacherSeconds > 0 && offline.run.teacherSeconds === 0, 'teacher time is measured');
    teacher.dispose();
  });
});
