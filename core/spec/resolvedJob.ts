import type { BackendChoice } from '../backend/backendChoice.ts';
import type { Priority } from './priority.ts';
import type { AugmentSettings } from './augment.ts';
import type { DataSpec, EnsembleMethod, StackingSettings, TrainSettings } from './job.ts';
import type { JobTask, OutputHead } from './jobTask.ts';
import type { LayerSpec } from './layers.ts';
import type { ModelFile } from './modelSource.ts';

/** A job's task: its resolved form names only regression, so that a classification job's is unchanged. */
export function jobTaskOf(job: Pick<ResolvedJob, 'task'>): JobTask {
  return job.task ?? 'classification';
}

/** One concrete ensemble member after replicas are expanded. */
export interface ResolvedMember {
  /** Unique name: the group name, or `<group>-<replica>` when the group has several replicas. */
  name: string;
  group: string;
  replica: number;
  seed: number;
  bootstrap: boolean;
  layers: LayerSpec[];
  /** The model file it is built from instead of `layers`, when the job names one. */
  model?: ModelFile;
  /** A pretrained member (`train: false` in the job file): no train task; `train` holds unused defaults. */
  pretrained?: true;
  train: TrainSettings;
  /** Voting weight (>= 0). */
  weight: number;
  /** Training-time augmentation (data.augment or its own); absent when none. */
  augment?: AugmentSettings;
  /** A regression member's Gaussian head; absent for a linear output (and in classification). */
  head?: Extract<OutputHead, 'gaussian'>;
}

/** One student to train: distilled at (temperature, alpha), or the hard-label baseline. */
export type StudentRun =
  | {
      name: string;
      kind: 'distilled';
      temperature: number;
      alpha: number;
      /** Soft-label shards (`offline`) or the teacher run on each batch (`online`). */
      teacherTargets: 'offline' | 'online';
    }
  | { name: string; kind: 'baseline' };

export interface ResolvedStudent {
  name: string;
  layers: LayerSpec[];
  /** The model file it is built from instead of `layers`, when the job names one. */
  model?: ModelFile;
  train: TrainSettings;
  seed: number;
  augment?: AugmentSettings;
  head?: Extract<OutputHead, 'gaussian'>;
}

/** A validated job with every default filled and every list expanded: what the planner consumes. */
export interface ResolvedJob {
  name: string;
  /** `regression`: real-valued targets; absent for classification (see jobTaskOf). */
  task?: Extract<JobTask, 'regression'>;
  seed: number;
  data: DataSpec;
  members: ResolvedMember[];
  ensemble: {
    methods: EnsembleMethod[];
    /** Weight per member, aligned with `members`. */
    weights: number[];
    /** The classification combiner's training, and `folds` when out-of-fold stacking is asked for. */
    stacking: StackingSettings;
    /** Fit a temperature on the validation split after averaging (needs validationSplit > 0). */
    calibrate: boolean;
  };
  teacher: {
    /** Names of the members whose outputs form the teacher. */
    members: string[];
    softTargets: 'probabilities' | 'logits';
  };
  distillation?: {
    student: ResolvedStudent;
    runs: StudentRun[];
    shards: number;
  };
  runtime: {
    slots: 'auto' | number;
    backend: BackendChoice;
    maxAttempts: number;
    checkpointSeconds: number;
    /** Absent in job records written before priorities existed: normal. */
    priority?: Priority;
  };
}
