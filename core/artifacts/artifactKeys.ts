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
  studentLogits: (student: string) => `predictions/students/${student}/test.f32`,
  /** Float32 teacher logits for one shard, [teacherMembers, shardSamples, classes]. */
  softLabels: (shard: number) => `soft-labels/shard-${shard}.f32`,
} as const;
