import * as tf from '@tensorflow/tfjs';
import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { getFloat32, putFloat32 } from '../../artifacts/float32.ts';
import { saveModelToStore } from '../../artifacts/modelIO.ts';
import { deriveSeed } from '../../data/random.ts';
import { softmaxRows } from '../../ensemble/softmax.ts';
import { stackingFeatures } from '../../ensemble/stackingFeatures.ts';
import { trainStackingCombiner } from '../../model/stacking.ts';
import type { StackTask } from '../task.ts';
import type { TaskContext } from '../taskContext.ts';
import type { StackResult, TrainingHistory } from '../taskResult.ts';
import { outOfFoldOutputs } from './outOfFoldFeatures.ts';

const STACKING_SALT = 0x57ac;

/**
 * Trains the stacking combiner (concat of members' probabilities + Dense, as in the reference
 * article) on the validation split, where members' outputs are honest (not fitted), then writes
 * its test logits. With `ensemble.stacking.folds`, a second combiner trains the same way on the
 * members' out-of-fold outputs over the whole training split (scikit-learn's StackingClassifier `cv`).
 */
export async function stackCombiner(_task: StackTask, ctx: TaskContext): Promise<StackResult> {
  const started = performance.now();
  const job = ctx.job;
  const data = await ctx.data();
  const features = async (split: 'validation' | 'test') =>
    stackingFeatures(
      await Promise.all(
        job.members.map(async (m) =>
          softmaxRows(
            await getFloat32(ctx.artifacts, artifactKeys.memberLogits(m.name, split)),
            data.classes,
          ),
        ),
      ),
      data.classes,
    );
  const testFeatures = await features('test');
  ctx.progress({ message: 'training the combiner' });
  const history = await fitCombiner(ctx, await features('validation'), data.validation.y, testFeatures, {
    model: artifactKeys.stackingModel(),
    logits: artifactKeys.stackingLogits(),
  });
  let outOfFold: StackResult['outOfFold'];
  if (job.ensemble.stacking.folds !== undefined) {
    ctx.progress({ message: 'training the out-of-fold combiner' });
    const outputs = await outOfFoldOutputs(job, ctx.artifacts, data.train.count, () => data.classes);
    const trainFeatures = stackingFeatures(
      job.members.map((m) => softmaxRows(outputs.get(m.name)!, data.classes)),
      data.classes,
    );
    outOfFold = {
      history: await fitCombiner(ctx, trainFeatures, data.train.y, testFeatures, {
        model: artifactKeys.stackingOutOfFoldModel(),
        logits: artifactKeys.stackingOutOfFoldLogits(),
      }),
    };
  }
  return {
    type: 'stack',
    seconds: (performance.now() - started) / 1000,
    history,
    ...(outOfFold ? { outOfFold } : {}),
  };
}

/** Trains a combiner on (features, labels), saves it and its test logits under `keys`. */
async function fitCombiner(
  ctx: TaskContext,
  features: Float32Array,
  labels: Int32Array,
  testFeatures: Float32Array,
  keys: { model: string; logits: string },
): Promise<TrainingHistory> {
  const job = ctx.job;
  const data = await ctx.data();
  const settings = job.ensemble.stacking;
  const { model, history } = await trainStackingCombiner(features, labels, {
    members: job.members.length,
    classes: data.classes,
    seed: deriveSeed(job.seed, STACKING_SALT),
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
  });
  try {
    await saveModelToStore(model, ctx.artifacts, keys.model);
    const logits = tf.tidy(() =>
      // One batch (see predictLogits: model.predict's batches of 32 re-read the whole input each).
      model.predictOnBatch(tf.tensor2d(testFeatures, [data.test.count, job.members.length * data.classes])),
    ) as tf.Tensor;
    await putFloat32(ctx.artifacts, keys.logits, (await logits.data()) as Float32Array);
    logits.dispose();
  } finally {
    model.dispose();
  }
  return { loss: history };
}
