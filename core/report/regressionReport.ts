import type { LinearCombiner } from '../ensemble/regression/linearStacking.ts';
import type { OutputHead } from '../spec/jobTask.ts';
import type { StudentRun } from '../spec/resolvedJob.ts';
import type { TrainingHistory } from '../tasks/taskResult.ts';
import type { Report, TimingReport } from './report.ts';

/**
 * What a regression job's `report.json` holds: every member, ensemble method and student scored on the
 * test split in the target's original units (numbers rounded to 6 significant digits).
 */

/** Where a predictor's variance comes from. */
export type VarianceSource =
  /** its own Gaussian head */
  | 'gaussian'
  /** the mixture of the members' predictive distributions (mean of variances + spread of means) */
  | 'mixture'
  /** the mean squared residual on held-out rows (validation, or out-of-fold): one variance for all */
  | 'residuals'
  /** none: no NLL or interval coverage */
  | 'none';

export interface RegressionScores {
  /** Root mean squared error and mean absolute error, in the target's units. */
  rmse: number;
  mae: number;
  /** Coefficient of determination on the test split (1 is perfect, 0 predicts the mean). */
  r2: number;
  /** Mean Gaussian negative log-likelihood per test sample, nats, in the target's units; null without a variance. */
  nll: number | null;
  /** Share of test targets inside the central 90% predictive interval; null without a variance. */
  coverage90: number | null;
  /** Observed coverage at each of the report's `coverageLevels` (the calibration plot); absent without a variance. */
  coverage?: number[];
  variance: VarianceSource;
}

export interface RegressionMemberReport extends RegressionScores {
  name: string;
  group: string;
  head: OutputHead;
  parameters?: number;
  weight: number;
  teacher: boolean;
  trainSeconds: number;
  epochs?: number;
  history?: TrainingHistory;
  stoppedAtEpoch?: number;
  bestEpoch?: number;
}

export interface RegressionEnsembleReport {
  /** The equal-weight mixture of the members (its mean is the plain mean of their means). */
  mean?: RegressionScores;
  /** The mixture weighted by the members' weights. */
  weighted?: RegressionScores;
  /** The per-sample median of the members' means. */
  median?: RegressionScores;
  /**
   * A linear combiner of the members' means fitted on the validation split; `outOfFold` (with
   * `ensemble.stacking.folds`): fitted on the members' out-of-fold predictions of the training split.
   */
  stacking?: RegressionScores & {
    combiner: LinearCombiner;
    outOfFold?: RegressionScores & { folds: number; combiner: LinearCombiner };
  };
}

export interface RegressionStudentReport extends RegressionScores {
  name: string;
  kind: StudentRun['kind'];
  head: OutputHead;
  parameters?: number;
  alpha?: number;
  /** RMSE between the student's and the teacher's test means, in the target's units. */
  rmseToTeacher: number;
  trainSeconds: number;
  epochs?: number;
  history?: TrainingHistory;
  stoppedAtEpoch?: number;
  bestEpoch?: number;
}

/** The best distilled student (lowest RMSE) against the baseline and the teacher. */
export interface RegressionDistillationSummary {
  bestStudent: string;
  bestRmse: number;
  baseline?: string;
  baselineRmse?: number;
  /** (baseline − best) / (baseline − teacher) RMSE: the share of the teacher's lead recovered. */
  gapRecovered?: number;
}

export interface RegressionReport {
  task: 'regression';
  job: string;
  backend: string;
  chorusVersion: string;
  createdAt: string;
  dataset: {
    train: number;
    validation: number;
    test: number;
    /** Values per sample the models see. */
    features: number;
    /** How targets were standardised for training (from the training split); reports are in these units. */
    target: { mean: number; std: number };
  };
  /** The nominal levels of central intervals at which every `coverage` list is measured. */
  coverageLevels: number[];
  members: RegressionMemberReport[];
  /** The member with the lowest RMSE (ties: the first listed). */
  bestMember: string;
  /** Unweighted mean of the members' scores (NLL and coverage: over members that have them). */
  meanMember: { rmse: number; mae: number; r2: number; nll: number | null; coverage90: number | null };
  ensemble: RegressionEnsembleReport;
  /** The distillation teacher: the teacher members' weighted mixture. */
  teacher: RegressionScores & { members: string[] };
  students: RegressionStudentReport[];
  distillation?: RegressionDistillationSummary;
  timing: TimingReport;
}

/** Either kind of report: `task: 'regression'` tells them apart (a classification report has no `task`). */
export type JobReport = Report | RegressionReport;

export function isRegressionReport(report: JobReport): report is RegressionReport {
  return 'task' in report && report.task === 'regression';
}
