import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { putFloat32 } from '../../artifacts/float32.ts';
import { loadModelFromStore } from '../../artifacts/modelIO.ts';
import { predictLogits } from '../../train/trainLoop.ts';
import type { PredictTask } from '../task.ts';
import type { TaskContext } from '../taskContext.ts';
import type { PredictResult } from '../taskResult.ts';
import { findMember } from './lookup.ts';

/** Writes a trained member's logits on the validation and test splits. */
export async function predictMember(task: PredictTask, ctx: TaskContext): Promise<PredictResult> {
  const started = performance.now();
  const member = findMember(ctx.job, task.member);
  const data = await ctx.data();
  const model = await loadModelFromStore(ctx.artifacts, artifactKeys.memberModel(member.name));
  try {
    for (const split of ['validation', 'test'] as const) {
      ctx.progress({ message: `predicting ${split}` });
      await putFloat32(
        ctx.artifacts,
        artifactKeys.memberLogits(member.name, split),
        predictLogits(model, data[split]),
      );
    }
  } finally {
    model.dispose();
  }
  return { type: 'predict', seconds: (performance.now() - started) / 1000 };
}
