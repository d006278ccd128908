import * as tf from '@tensorflow/tfjs';
import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { putFloat32 } from '../../artifacts/float32.ts';
import { loadModelFromStore } from '../../artifacts/modelIO.ts';
import { bootstrapRows } from '../../data/bootstrapRows.ts';
import { deriveSeed } from '../../data/random.ts';
import { subset } from '../../data/split.ts';
import { foldAssignment, foldRows } from '../../ensemble/outOfFold/folds.ts';
import { foldAssignmentSeed, foldMemberSeed } from '../../ensemble/outOfFold/foldSeeds.ts';
import { makeModel } from '../../model/makeModel.ts';
import { makeOptimizer } from '../../model/optimizer.ts';
import { Checkpointer } from '../../train/checkpoint.ts';
import { predictLogits, trainLoop } from '../../train/trainLoop.ts';
import type { FoldTask } from '../task.ts';
import type { TaskContext } from '../taskContext.ts';
import type { FoldResult } from '../taskResult.ts';
import { findMember } from './lookup.ts';
import { regressionOf, unitsOf } from './modelOutputs.ts';
import { recipeOptions, trainingEnd } from './recipeOptions.ts';

const SHUFFLE_SALT = 0x5417;

/**
 * Out-of-fold stacking: trains the member as its train task does (its layers, recipe and bootstrap),
 * but from a seed of its own for this fold and on the training split without the fold's rows, then
 * writes its outputs for those held-out rows. A pretrained member only predicts them.
 */
export async function trainFold(task: FoldTask, ctx: TaskContext): Promise<FoldResult> {
  const started = performance.now();
  const member = findMember(ctx.job, task.member);
  const data = await ctx.data();
  const assignment = foldAssignment(data.train.count, task.folds, foldAssignmentSeed(ctx.job.seed));
  const heldOut = subset(data.train, foldRows(assignment, task.fold, true));
  const key = artifactKeys.foldLogits(member.name, task.fold);
  if (member.pretrained) {
    const model = await loadModelFromStore(ctx.artifacts, artifactKeys.memberModel(member.name));
    try {
      await putFloat32(ctx.artifacts, key, predictLogits(model, heldOut));
    } finally {
      model.dispose();
    }
    return {
      type: 'fold',
      seconds: (performance.now() - started) / 1000,
      epochs: 0,
      samples: 0,
      heldOut: heldOut.count,
      history: { loss: [] },
      resumedFromEpoch: 0,
      backend: tf.getBackend(),
    };
  }
  const seed = foldMemberSeed(member.seed, task.fold);
  const trainedOn = foldRows(assignment, task.fold, false);
  const drawn = bootstrapRows({ bootstrap: member.bootstrap, seed }, trainedOn.length);
  const rows = drawn ? drawn.map((i) => trainedOn[i]!) : trainedOn;
  const model = await makeModel({ ...member, seed }, ctx.artifacts, {
    source: artifactKeys.memberSource(member.group),
    sampleShape: data.sampleShape,
    classes: unitsOf(ctx.job, member, data),
    training: true,
  });
  const optimizer = makeOptimizer({ name: member.train.optimizer, learningRate: member.train.learningRate });
  const checkpoint = new Checkpointer(ctx.artifacts, artifactKeys.checkpoint(task.id));
  try {
    const regression = regressionOf(ctx.job, member);
    const run = await trainLoop({
      model,
      optimizer,
      data: data.train,
      classes: data.classes,
      ...(regression ? { regression } : {}),
      rows,
      epochs: member.train.epochs,
      batchSize: member.train.batchSize,
      seed: deriveSeed(seed, SHUFFLE_SALT),
      ...recipeOptions(ctx.job, { ...member, seed }),
      ...(data.validation.count > 0 ? { validation: data.validation } : {}),
      checkpoint,
      checkpointEverySeconds: ctx.job.runtime.checkpointSeconds,
      onProgress: (p) => ctx.progress(p),
      ...(ctx.metrics ? { onStep: ctx.metrics.step.bind(ctx.metrics) } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    await putFloat32(ctx.artifacts, key, predictLogits(model, heldOut));
    await checkpoint.clear();
    return {
      type: 'fold',
      seconds: (performance.now() - started) / 1000,
      epochs: member.train.epochs,
      ...trainingEnd(run, model),
      samples: run.samples,
      heldOut: heldOut.count,
      history: run.history,
      resumedFromEpoch: run.resumedFromEpoch,
      backend: tf.getBackend(),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
