import type * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../data/random.ts';
import type { ResolvedJob, ResolvedMember, ResolvedStudent } from '../../spec/resolvedJob.ts';
import type { TrainLoopOptions, TrainLoopResult } from '../../train/trainLoop.ts';
import type { TrainingEnd } from '../taskResult.ts';

const AUGMENT_SALT = 0xa094;

/**
 * The training loop's recipe and augmentation options for a member or the student, with the job-file
 * paths its messages name (a member's index is its group's position in `members`).
 */
export function recipeOptions(
  job: ResolvedJob,
  who: ResolvedMember | ResolvedStudent,
): Pick<TrainLoopOptions, 'recipe' | 'augment'> {
  const path =
    'group' in who
      ? `members[${[...new Set(job.members.map((m) => m.group))].indexOf(who.group)}]`
      : 'distillation.student';
  return {
    recipe: { settings: who.train, path: `${path}.train` },
    ...(who.augment
      ? {
          augment: {
            settings: who.augment,
            seed: deriveSeed(who.seed, AUGMENT_SALT),
            path: `${path}.augment`,
          },
        }
      : {}),
  };
}

/** How a run ended (epochs, early stopping's best epoch) and the model's size, for its task result. */
export function trainingEnd(run: TrainLoopResult, model: tf.LayersModel): TrainingEnd {
  return {
    epochsRun: run.epochsRun,
    ...(run.bestEpoch !== undefined ? { bestEpoch: run.bestEpoch } : {}),
    parameters: model.countParams(),
  };
}
