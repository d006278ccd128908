/** A progress report from a running task, sent often (per batch); all fields optional. */
export interface TaskProgress {
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  loss?: number;
  samplesPerSecond?: number;
  message?: string;
}
