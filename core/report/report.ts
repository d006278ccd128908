import type { StudentRun } from '../spec/resolvedJob.ts';
import type { TaskType } from '../tasks/task.ts';
import type { TrainingHistory } from '../tasks/taskResult.ts';
import type { EnsembleDiagnostics } from './diagnostics.ts';

/**
 * What `report.json` holds: every member, ensemble method and student scored on the test split, plus
 * timings. Plain JSON (numbers rounded to 6 significant digits) so renderers and other tools can read it.
 */

/** Accuracy is a fraction in [0, 1]; NLL in nats; ECE over 15 equal-width confidence bins. */
export interface Scores {
  accuracy: number;
  nll: number;
  ece: number;
}

/** Where a member's or the student's model came from. */
export interface ModelOrigin {
  /** `layers`: built from the job file's layer list; `file`: loaded from a model file. */
  from: 'layers' | 'file';
  /** The model file, as the job file names it (with `from: file`). */
  file?: string;
  /** The weights it started from (with `from: file`): the file's, or `random` ones from its seed. */
  weights?: 'random' | 'file';
  /** `pretrained`: the file's model as it is, never trained here; `trained`: trained by this run. */
  training: 'pretrained' | 'trained';
}

export interface MemberReport extends Scores {
  name: string;
  /** The member group it is a replica of. */
  group: string;
  /** Absent in reports written before Chorus recorded it, as `parameters`. */
  origin?: ModelOrigin;
  /** Its weight count (trainable or not). */
  parameters?: number;
  /** Its voting weight. */
  weight: number;
  /** Whether it is part of the distillation teacher. */
  teacher: boolean;
  /** Seconds of the train task (its last attempt); 0 when unknown. */
  trainSeconds: number;
  epochs?: number;
  history?: TrainingHistory;
  /** Set when early stopping ended training: the epochs trained, and the best one (restored, if asked). */
  stoppedAtEpoch?: number;
  bestEpoch?: number;
}

/** One bin of a reliability diagram: bin b holds confidences in (lower, upper]. */
export interface ReportBin {
  lower: number;
  upper: number;
  count: number;
  /** null when the bin is empty. */
  meanConfidence: number | null;
  accuracy: number | null;
}

/**
 * Temperature scaling after averaging (`ensemble.calibrate`): T fitted on the validation split (minimum
 * NLL), then the test split scored with softmax(log(p) / T). Accuracy equals the uncalibrated one: T never
 * changes a row's argmax.
 */
export interface CalibratedScores extends Scores {
  temperature: number;
}

export interface EnsembleReport {
  /** Weighted hard vote (ties to the lowest class): it has no probabilities, so accuracy only. */
  hard?: { accuracy: number };
  /** Weighted mean of the members' probabilities; `calibrated` when the job asked for calibration. */
  soft?: Scores & {
    reliability: ReportBin[];
    calibrated?: CalibratedScores & { reliability: ReportBin[] };
  };
  /**
   * The learned concat + Dense combiner, trained on the validation split; `outOfFold` (with
   * `ensemble.stacking.folds`): the same combiner trained on out-of-fold predictions of the training split.
   */
  stacking?: Scores & {
    history?: TrainingHistory;
    trainSeconds?: number;
    outOfFold?: Scores & { folds: number; history?: TrainingHistory };
  };
}

export interface StudentReport extends Scores {
  name: string;
  kind: StudentRun['kind'];
  /** Absent in reports written before Chorus recorded it, as `parameters`. */
  origin?: ModelOrigin;
  parameters?: number;
  temperature?: number;
  alpha?: number;
  /** Fraction of test samples on which the student's argmax equals the teacher's. */
  agreementWithTeacher: number;
  trainSeconds: number;
  epochs?: number;
  history?: TrainingHistory;
  stoppedAtEpoch?: number;
  bestEpoch?: number;
  /** Distilled students: where the soft targets came from (soft-label shards, or the teacher per batch). */
  teacherTargets?: 'offline' | 'online';
  /** Online teacher: seconds of its forward passes, part of trainSeconds. */
  teacherSeconds?: number;
}

/** The best distilled student against the baseline and the teacher. */
export interface DistillationSummary {
  bestStudent: string;
  bestAccuracy: number;
  baseline?: string;
  baselineAccuracy?: number;
  /** (best − baseline) / (teacher − baseline): the share of the teacher's lead the student recovered. */
  gapRecovered?: number;
}

/** One task that ran on a GPU (`--gpus`): which GPU its pool slot was placed on, and its seconds. */
export interface GpuTaskTiming {
  task: string;
  type: TaskType;
  gpu: number;
  seconds: number;
}

export interface TimingReport {
  /** Wall-clock seconds of the whole run. */
  wallSeconds: number;
  /** Sum of every task's seconds (the work done, whatever the parallelism). */
  taskSeconds: number;
  /** taskSeconds / wallSeconds: how many tasks ran at once on average. */
  parallelism: number;
  /** Seconds and task count per task type (only types that ran). */
  byType: Partial<Record<TaskType, { tasks: number; seconds: number }>>;
  /** Attempts beyond the first, over all tasks. */
  retries: number;
  /** The tasks that ran on a GPU, in plan order; absent when none did (CPU and wasm runs). */
  gpuTasks?: GpuTaskTiming[];
}

export interface Report {
  job: string;
  /** The tfjs backend the tasks ran on, e.g. `wasm`. */
  backend: string;
  chorusVersion: string;
  /** ISO 8601. */
  createdAt: string;
  dataset: { train: number; validation: number; test: number; classes: number };
  members: MemberReport[];
  /** The member with the highest accuracy (ties: lower NLL, then first listed). */
  bestMember: string;
  /** Unweighted mean of the members' scores. */
  meanMember: Scores;
  ensemble: EnsembleReport;
  /**
   * The distillation teacher on the test split: the teacher members combined as the soft targets are
   * (mean of probabilities, or softmax of the mean logits), at temperature 1, with their voting weights.
   * `calibrated` (with `ensemble.calibrate`): its own fitted T, the one the exported ensemble model applies.
   */
  teacher: Scores & {
    members: string[];
    softTargets: 'probabilities' | 'logits';
    calibrated?: CalibratedScores;
  };
  students: StudentReport[];
  distillation?: DistillationSummary;
  /** Diversity, the NLL gain over the mean member, out-of-bag scores (absent in reports of older runs). */
  diagnostics?: EnsembleDiagnostics;
  timing: TimingReport;
}
