/** What a handler returns: small JSON kept in the job state. Bulk outputs go to the ArtifactStore. */

export interface TrainingHistory {
  /** Mean training loss per epoch. */
  loss: number[];
  /** Validation loss per epoch, when there is a validation split. */
  valLoss?: number[];
  /** Validation accuracy per epoch, when there is a validation split. */
  valAccuracy?: number[];
  /** The learning rate each epoch trained at (its schedule). */
  learningRate?: number[];
}

/** How a training run ended, beyond its history. */
export interface TrainingEnd {
  /** Epochs trained (fewer than `epochs` when early stopping ended training). */
  epochsRun?: number;
  /** With early stopping: the 1-based epoch whose weights were best (restored unless asked not to). */
  bestEpoch?: number;
  /** The model's parameter count (trainable and not). */
  parameters?: number;
}

export interface TrainResult extends TrainingEnd {
  type: 'train';
  seconds: number;
  epochs: number;
  samples: number;
  history: TrainingHistory;
  /** First epoch run by this attempt (> 0 when it resumed from a checkpoint). */
  resumedFromEpoch: number;
  backend: string;
}

export interface PredictResult {
  type: 'predict';
  seconds: number;
}

export interface StackResult {
  type: 'stack';
  seconds: number;
  history: TrainingHistory;
}

export interface SoftLabelsResult {
  type: 'soft-labels';
  seconds: number;
  start: number;
  end: number;
}

export interface DistillResult extends TrainingEnd {
  type: 'distill';
  /** With an online teacher: seconds its forward passes took (part of `seconds`). */
  teacherSeconds?: number;
  seconds: number;
  epochs: number;
  history: TrainingHistory;
  resumedFromEpoch: number;
  backend: string;
}

export interface ReportResult {
  type: 'report';
  seconds: number;
}

export type TaskResult =
  TrainResult | PredictResult | StackResult | SoftLabelsResult | DistillResult | ReportResult;
