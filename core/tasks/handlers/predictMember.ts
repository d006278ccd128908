import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { putFloat32 } from '../../artifacts/float32.ts';
import { loadModelFromStore, saveModelToStore } from '../../artifacts/modelIO.ts';
import { bootstrapRows, outOfBagRows } from '../../data/bootstrapRows.ts';
import { subset } from '../../data/split.ts';
import { makeModel } from '../../model/makeModel.ts';
import { jobTaskOf } from '../../spec/resolvedJob.ts';
import { predictLogits } from '../../train/trainLoop.ts';
import type { PredictTask } from '../task.ts';
import type { TaskContext } from '../taskContext.ts';
import type { PredictResult } from '../taskResult.ts';
import { findMember } from './lookup.ts';
import { unitsOf } from './modelOutputs.ts';

/**
 * Writes a member's logits on the validation and test splits: a trained member's saved model, or a
 * pretrained member's model file, which it first saves as the member's model (soft labels and the
 * exported ensemble read it there, as they read trained members). A bootstrap classifier's logits on
 * its out-of-bag rows of the training split too, for the report's out-of-bag accuracy.
 */
export async function predictMember(task: PredictTask, ctx: TaskContext): Promise<PredictResult> {
  const started = performance.now();
  const member = findMember(ctx.job, task.member);
  const data = await ctx.data();
  const key = artifactKeys.memberModel(member.name);
  const model = member.pretrained
    ? await makeModel(member, ctx.artifacts, {
        source: artifactKeys.memberSource(member.group),
        sampleShape: data.sampleShape,
        classes: unitsOf(ctx.job, member, data),
        training: false,
      })
    : await loadModelFromStore(ctx.artifacts, key);
  try {
    if (member.pretrained) await saveModelToStore(model, ctx.artifacts, key);
    for (const split of ['validation', 'test'] as const) {
      ctx.progress({ message: `predicting ${split}` });
      await putFloat32(
        ctx.artifacts,
        artifactKeys.memberLogits(member.name, split),
        predictLogits(model, data[split]),
      );
    }
    const drawn =
      jobTaskOf(ctx.job) === 'classification' ? bootstrapRows(member, data.train.count) : undefined;
    if (drawn) {
      ctx.progress({ message: 'predicting out-of-bag rows' });
      const outOfBag = subset(data.train, outOfBagRows(drawn, data.train.count));
      await putFloat32(
        ctx.artifacts,
        artifactKeys.memberOutOfBagLogits(member.name),
        predictLogits(model, outOfBag),
      );
    }
    return {
      type: 'predict',
      seconds: (performance.now() - started) / 1000,
      parameters: model.countParams(),
    };
  } finally {
    model.dispose();
  }
}
