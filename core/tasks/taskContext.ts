import type { Dataset } from '../data/dataset.ts';
import type { TargetScale } from '../data/regression/targetScale.ts';
import type { ResolvedJob } from '../spec/resolvedJob.ts';
import type { ArtifactStore } from '../artifacts/artifactStore.ts';
import type { TaskProgress } from './taskProgress.ts';

/** A job's data after loading, reshaping, normalising and splitting: identical on every worker. */
export interface PreparedData {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
  /** The number of classes; 1 in a regression job (one target). */
  classes: number;
  sampleShape: readonly number[];
  /** Regression: how the targets were standardised (from the training split). */
  targetScale?: TargetScale;
}

/** Everything a task handler may use besides its task: the same in embedded and distributed mode. */
export interface TaskContext {
  job: ResolvedJob;
  /** The prepared data; loaded once per thread and shared between its tasks. */
  data(): Promise<PreparedData>;
  artifacts: ArtifactStore;
  progress(update: TaskProgress): void;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the task is cancelled; handlers check it between batches. */
  signal?: AbortSignal;
  /**
   * True once the task is asked to give its slot back (distributed mode: preemption, a draining
   * worker). Training handlers then checkpoint at the end of the epoch and throw TaskYieldedError.
   */
  yieldRequested?: () => boolean;
  /** Where training handlers report each step (the worker's metrics); absent when nobody listens. */
  metrics?: TaskMetricsSink;
}

/** Per-step training numbers, batched by the thread into metrics messages. */
export interface TaskMetricsSink {
  /** One mini-batch of `samples` samples that took `seconds` and ended at `loss`. */
  step(samples: number, seconds: number, loss?: number): void;
}
