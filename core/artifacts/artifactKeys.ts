/**
 * The layout of a run's artifacts. Models are folders in the standard tfjs format
 * (`model.json` + `weights.bin`) so `tf.loadLayersModel` reads them directly.
 */
export const artifactKeys = {
  memberModel: (member: string) => `models/members/${member}`,
  stackingModel: () => 'models/stacking',
  studentModel: (student: string) => `models/students/${student}`,
  ensembleModel: () => 'models/ensemble',
  /**
   * The run's copy of a model file the job names (model.json and its weights files, as the file's folder
   * holds them), for a member group or for the student: tasks read these, never the user's files.
   */
  memberSource: (group: string) => `sources/members/${group}`,
  studentSource: () => 'sources/student',
  checkpoint: (taskId: string) => `checkpoints/${taskId.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
  /** Float32 logits, row-major [samples, classes]. */
  memberLogits: (member: string, split: 'validation' | 'test') =>
    `predictions/members/${member}/${split}.f32`,
  stackingLogits: () => 'predictions/stacking/test.f32',
  /** A bootstrap member's logits on its out-of-bag rows of the training split, in row order. */
  memberOutOfBagLogits: (member: string) => `predictions/members/${member}/out-of-bag.f32`,
  /** A member's predictions for the rows fold `fold` holds out, trained on the other folds. */
  foldLogits: (member: string, fold: number) => `predictions/folds/${member}/fold-${fold}.f32`,
  /** The combiner fitted on out-of-fold predictions: its model and its test logits. */
  stackingOutOfFoldModel: () => 'models/stacking-out-of-fold',
  stackingOutOfFoldLogits: () => 'predictions/stacking-out-of-fold/test.f32',
  studentLogits: (student: string) => `predictions/students/${student}/test.f32`,
  /** A regression student's outputs on the validation split (a linear student's variance comes from them). */
  studentValidationLogits: (student: string) => `predictions/students/${student}/validation.f32`,
  /** Float32 teacher logits for one shard, [teacherMembers, shardSamples, classes]. */
  softLabels: (shard: number) => `soft-labels/shard-${shard}.f32`,
} as const;
