import * as tf from '@tensorflow/tfjs';
import { artifactKeys } from '../../artifacts/artifactKeys.ts';
import { getFloat32, putFloat32 } from '../../artifacts/float32.ts';
import { saveModelToStore } from '../../artifacts/modelIO.ts';
import { deriveSeed } from '../../data/random.ts';
import { shardRanges } from '../../data/split.ts';
import { teacherSoftTargets } from '../../ensemble/softTargets.ts';
import { ChorusError } from '../../errors.ts';
import { makeModel } from '../../model/makeModel.ts';
import { makeOptimizer } from '../../model/optimizer.ts';
import type { ResolvedJob } from '../../spec/resolvedJob.ts';
import { Checkpointer } from '../../train/checkpoint.ts';
import { predictLogits, trainLoop } from '../../train/trainLoop.ts';
import type { DistillTask } from '../task.ts';
import type { PreparedData, TaskContext } from '../taskContext.ts';
import type { DistillResult } from '../taskResult.ts';
import { teacherOf } from '../../spec/teacherOf.ts';
import { findStudentRun } from './lookup.ts';
import { recipeOptions, trainingEnd } from './recipeOptions.ts';
import { OnlineTeacherModels } from '../../distill/onlineTeacher.ts';
import { regressionOf, unitsOf } from './modelOutputs.ts';
import { regressionTeacherTargets } from './regressionTeacher.ts';

const SHUFFLE_SALT = 0xd157;

/**
 * Trains one student: distilled from the teacher's soft labels at (T, alpha), or the hard-label baseline.
 * A regression student learns the teacher's mean (and variance) mixed with the targets by alpha.
 */
export async function distillStudent(task: DistillTask, ctx: TaskContext): Promise<DistillResult> {
  const job = ctx.job;
  const student = job.distillation?.student;
  if (!student) throw new ChorusError(`job ${job.name} has no distillation section`);
  const run = findStudentRun(job, task.student);
  const data = await ctx.data();
  const regression = regressionOf(job, student);
  const online = run.kind === 'distilled' && run.teacherTargets === 'online';
  const teacher = online ? await loadOnlineTeacher(job, data, ctx) : undefined;
  const distill =
    run.kind === 'distilled' && !regression
      ? {
          ...(teacher
            ? { teacher: teacher.targetsAt(run.temperature) }
            : { softTargets: await loadSoftTargets(job, data, ctx, run.temperature) }),
          temperature: run.temperature,
          alpha: run.alpha,
        }
      : undefined;
  // Every run starts from the same initial weights (the student's seed), so runs compare fairly.
  const model = await makeModel(student, ctx.artifacts, {
    source: artifactKeys.studentSource(),
    sampleShape: data.sampleShape,
    classes: unitsOf(job, student, data),
    training: true,
  });
  const optimizer = makeOptimizer({
    name: student.train.optimizer,
    learningRate: student.train.learningRate,
  });
  const checkpoint = new Checkpointer(ctx.artifacts, artifactKeys.checkpoint(task.id));
  try {
    const result = await trainLoop({
      model,
      optimizer,
      data: data.train,
      classes: data.classes,
      ...(distill ? { distill } : {}),
      ...(regression
        ? {
            regression: {
              ...regression,
              ...(run.kind === 'distilled'
                ? { teacher: { ...(await regressionTeacherTargets(job, data, ctx)), alpha: run.alpha } }
                : {}),
            },
          }
        : {}),
      epochs: student.train.epochs,
      batchSize: student.train.batchSize,
      seed: deriveSeed(student.seed, SHUFFLE_SALT),
      ...recipeOptions(job, student),
      ...(data.validation.count > 0 ? { validation: data.validation } : {}),
      checkpoint,
      checkpointEverySeconds: ctx.job.runtime.checkpointSeconds,
      onProgress: (p) => ctx.progress(p),
      ...(ctx.metrics ? { onStep: ctx.metrics.step.bind(ctx.metrics) } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.yieldRequested ? { yieldRequested: ctx.yieldRequested } : {}),
    });
    await saveModelToStore(model, ctx.artifacts, artifactKeys.studentModel(run.name));
    await putFloat32(ctx.artifacts, artifactKeys.studentLogits(run.name), predictLogits(model, data.test));
    if (regression) {
      const validation = predictLogits(model, data.validation);
      await putFloat32(ctx.artifacts, artifactKeys.studentValidationLogits(run.name), validation);
    }
    await checkpoint.clear();
    return {
      type: 'distill',
      seconds: result.seconds,
      epochs: student.train.epochs,
      ...trainingEnd(result, model),
      ...(teacher ? { teacherSeconds: result.teacherSeconds } : {}),
      history: result.history,
      resumedFromEpoch: result.resumedFromEpoch,
      backend: tf.getBackend(),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
    teacher?.dispose();
  }
}

/** The teacher members' models, for targets computed on every batch (`teacherTargets: online`). */
function loadOnlineTeacher(
  job: ResolvedJob,
  data: PreparedData,
  ctx: TaskContext,
): Promise<OnlineTeacherModels> {
  const { members, weights } = teacherOf(job);
  return OnlineTeacherModels.load(
    ctx.artifacts,
    members,
    weights,
    data.sampleShape,
    data.classes,
    job.teacher.softTargets,
  );
}

/** The teacher's soft targets at temperature T for the whole training split, from the shards' logits. */
async function loadSoftTargets(
  job: ResolvedJob,
  data: PreparedData,
  ctx: TaskContext,
  temperature: number,
): Promise<Float32Array> {
  const shards = job.distillation?.shards ?? 1;
  const { members, weights } = teacherOf(job);
  const out = new Float32Array(data.train.count * data.classes);
  for (const range of shardRanges(data.train.count, shards)) {
    const logits = await getFloat32(ctx.artifacts, artifactKeys.softLabels(range.shard));
    const width = (range.end - range.start) * data.classes;
    if (logits.length !== members.length * width) {
      throw new ChorusError(
        `soft labels of shard ${range.shard} hold ${logits.length} values, expected ${members.length * width}`,
      );
    }
    const perMember = members.map((_, i) => logits.subarray(i * width, (i + 1) * width));
    const targets = teacherSoftTargets(
      perMember,
      data.classes,
      temperature,
      job.teacher.softTargets,
      weights,
    );
    out.set(targets, range.start * data.classes);
  }
  return out;
}
