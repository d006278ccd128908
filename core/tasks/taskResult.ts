/** What a handler returns: small JSON kept in the job state. Bulk outputs go to the ArtifactStore. */

export interface TrainingHistory {
  /** Mean training loss per epoch. */
  loss: number[];
  /** Validation loss per epoch, when there is a validation split. */
  valLoss?: number[];
}

export interface TrainResult {
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
  /** The member's weight count (absent in results of older runs). */
  parameters?: number;
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

export interface DistillResult {
  type: 'distill';
  seconds: number;
  epochs: number;
  history: TrainingHistory;
  resumedFromEpoch: number;
  backend: string;
  /** The student's weight count (absent in results of older runs). */
  parameters?: number;
}

export interface ReportResult {
  type: 'report';
  seconds: number;
}

export type TaskResult =
  TrainResult | PredictResult | StackResult | SoftLabelsResult | DistillResult | ReportResult;
