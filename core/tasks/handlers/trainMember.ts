import * as tf from '@tensorflow/tfjs';
import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { saveModelToStore } from '../../artifacts/modelIO.ts';
import { bootstrapRows } from '../../data/bootstrapRows.ts';
import { deriveSeed } from '../../data/random.ts';
import { makeModel } from '../../model/makeModel.ts';
import { makeOptimizer } from '../../model/optimizer.ts';
import { Checkpointer } from '../../train/checkpoint.ts';
import { trainLoop } from '../../train/trainLoop.ts';
import type { TrainTask } from '../task.ts';
import type { TaskContext } from '../taskContext.ts';
import type { TrainResult } from '../taskResult.ts';
import { findMember } from './lookup.ts';
import { regressionOf, unitsOf } from './modelOutputs.ts';
import { recipeOptions, trainingEnd } from './recipeOptions.ts';

const SHUFFLE_SALT = 0x5417;

/** Trains one member from its seed (or its last epoch checkpoint) and saves it in tfjs format. */
export async function trainMember(task: TrainTask, ctx: TaskContext): Promise<TrainResult> {
  const member = findMember(ctx.job, task.member);
  const data = await ctx.data();
  const model = await makeModel(member, ctx.artifacts, {
    source: artifactKeys.memberSource(member.group),
    sampleShape: data.sampleShape,
    classes: unitsOf(ctx.job, member, data),
    training: true,
  });
  const optimizer = makeOptimizer({ name: member.train.optimizer, learningRate: member.train.learningRate });
  const checkpoint = new Checkpointer(ctx.artifacts, artifactKeys.checkpoint(task.id));
  try {
    const rows = bootstrapRows(member, data.train.count);
    const regression = regressionOf(ctx.job, member);
    const run = await trainLoop({
      model,
      optimizer,
      data: data.train,
      classes: data.classes,
      ...(regression ? { regression } : {}),
      ...(rows ? { rows } : {}),
      epochs: member.train.epochs,
      batchSize: member.train.batchSize,
      seed: deriveSeed(member.seed, SHUFFLE_SALT),
      ...recipeOptions(ctx.job, member),
      ...(data.validation.count > 0 ? { validation: data.validation } : {}),
      checkpoint,
      checkpointEverySeconds: ctx.job.runtime.checkpointSeconds,
      onProgress: (p) => ctx.progress(p),
      ...(ctx.metrics ? { onStep: ctx.metrics.step.bind(ctx.metrics) } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.yieldRequested ? { yieldRequested: ctx.yieldRequested } : {}),
    });
    await saveModelToStore(model, ctx.artifacts, artifactKeys.memberModel(member.name));
    await checkpoint.clear();
    return {
      type: 'train',
      seconds: run.seconds,
      epochs: member.train.epochs,
      ...trainingEnd(run, model),
      samples: run.samples,
      history: run.history,
      resumedFromEpoch: run.resumedFromEpoch,
      backend: tf.getBackend(),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
