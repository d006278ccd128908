import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { putFloat32 } from '../../artifacts/float32.ts';
import { loadModelFromStore } from '../../artifacts/modelIO.ts';
import { shardRanges } from '../../data/split.ts';
import { predictLogits } from '../../train/trainLoop.ts';
import type { SoftLabelsTask } from '../task.ts';
import type { TaskContext } from '../taskContext.ts';
import type { SoftLabelsResult } from '../taskResult.ts';
import { teacherOf } from '../../spec/teacherOf.ts';
import { unitsOf } from './modelOutputs.ts';

/**
 * Writes each teacher member's logits for one shard of the training split, laid out
 * [member, sample, class]. Logits (not probabilities) are kept so every distill task can apply
 * its own temperature. (A regression member's block holds its outputs: [sample, 1 or 2].)
 */
export async function softLabels(task: SoftLabelsTask, ctx: TaskContext): Promise<SoftLabelsResult> {
  const started = performance.now();
  const data = await ctx.data();
  // With more shards than samples the extra shards are empty (shardRanges never makes empty ones).
  const range = shardRanges(data.train.count, task.shards)[task.shard] ?? {
    shard: task.shard,
    start: data.train.count,
    end: data.train.count,
  };
  const { members } = teacherOf(ctx.job);
  const widths = members.map((m) => (range.end - range.start) * unitsOf(ctx.job, m, data));
  const out = new Float32Array(widths.reduce((a, b) => a + b, 0));
  let offset = 0;
  for (const [i, member] of members.entries()) {
    ctx.progress({ message: `teacher ${i + 1}/${members.length}`, batch: i + 1, batches: members.length });
    const model = await loadModelFromStore(ctx.artifacts, artifactKeys.memberModel(member.name));
    try {
      out.set(predictLogits(model, data.train, range.start, range.end), offset);
      offset += widths[i]!;
    } finally {
      model.dispose();
    }
  }
  await putFloat32(ctx.artifacts, artifactKeys.softLabels(task.shard), out);
  return {
    type: 'soft-labels',
    seconds: (performance.now() - started) / 1000,
    start: range.start,
    end: range.end,
  };
}
