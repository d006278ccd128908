import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { putFloat32 } from '../../artifacts/float32.ts';
import { loadModelFromStore, saveModelToStore } from '../../artifacts/modelIO.ts';
import { makeModel } from '../../model/makeModel.ts';
import { predictLogits } from '../../train/trainLoop.ts';
import type { PredictTask } from '../task.ts';
import type { TaskContext } from '../taskContext.ts';
import type { PredictResult } from '../taskResult.ts';
import { findMember } from './lookup.ts';

/**
 * Writes a member's logits on the validation and test splits: a trained member's saved model, or a
 * pretrained member's model file, which it first saves as the member's model (soft labels and the
 * exported ensemble read it there, as they read trained members).
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
        classes: data.classes,
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
    return {
      type: 'predict',
      seconds: (performance.now() - started) / 1000,
      parameters: model.countParams(),
    };
  } finally {
    model.dispose();
  }
}
