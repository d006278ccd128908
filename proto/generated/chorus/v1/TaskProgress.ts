// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * A task's progress report (core/tasks/taskProgress.ts); every field is optional.
 */
export interface TaskProgress {
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  loss?: number | string;
  samplesPerSecond?: number | string;
  message?: string;
  _epoch?: 'epoch';
  _epochs?: 'epochs';
  _batch?: 'batch';
  _batches?: 'batches';
  _loss?: 'loss';
  _samplesPerSecond?: 'samplesPerSecond';
  _message?: 'message';
}

/**
 * A task's progress report (core/tasks/taskProgress.ts); every field is optional.
 */
export interface TaskProgress__Output {
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  loss?: number;
  samplesPerSecond?: number;
  message?: string;
  _epoch?: 'epoch';
  _epochs?: 'epochs';
  _batch?: 'batch';
  _batches?: 'batches';
  _loss?: 'loss';
  _samplesPerSecond?: 'samplesPerSecond';
  _message?: 'message';
}
