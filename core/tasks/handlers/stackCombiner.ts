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
import type { StackResult } from '../taskResult.ts';

const STACKING_SALT = 0x57ac;

/**
 * Trains the stacking combiner (concat of members' probabilities + Dense, as in the reference
 * article) on the validation split, where members' outputs are honest (not fitted), then writes
 * its test logits.
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
  const settings = job.ensemble.stacking;
  ctx.progress({ message: 'training the combiner' });
  const { model, history } = await trainStackingCombiner(await features('validation'), data.validation.y, {
    members: job.members.length,
    classes: data.classes,
    seed: deriveSeed(job.seed, STACKING_SALT),
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
  });
  try {
    await saveModelToStore(model, ctx.artifacts, artifactKeys.stackingModel());
    const testFeatures = await features('test');
    const logits = tf.tidy(() =>
      // One batch (see predictLogits: model.predict's batches of 32 re-read the whole input each).
      model.predictOnBatch(tf.tensor2d(testFeatures, [data.test.count, job.members.length * data.classes])),
    ) as tf.Tensor;
    await putFloat32(ctx.artifacts, artifactKeys.stackingLogits(), (await logits.data()) as Float32Array);
    logits.dispose();
  } finally {
    model.dispose();
  }
  return { type: 'stack', seconds: (performance.now() - started) / 1000, history: { loss: history } };
}
