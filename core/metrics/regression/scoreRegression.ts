import type { Predictive } from '../../ensemble/regression/predictive.ts';
import { coefficientOfDetermination, meanAbsoluteError, rootMeanSquaredError } from './pointErrors.ts';
import { COVERAGE_LEVELS, gaussianNegativeLogLikelihood, intervalCoverage } from './gaussianScores.ts';

/** A regressor's test scores (unrounded); the variance-based ones are null without a variance. */
export interface RegressionScoreValues {
  rmse: number;
  mae: number;
  r2: number;
  nll: number | null;
  coverage90: number | null;
  /** Coverage at each of COVERAGE_LEVELS; absent without a variance. */
  coverage?: number[];
}

/** Scores predictions against targets (both in the same units). */
export function scoreRegression(p: Predictive, targets: ArrayLike<number>): RegressionScoreValues {
  const point = {
    rmse: rootMeanSquaredError(p.mean, targets),
    mae: meanAbsoluteError(p.mean, targets),
    r2: coefficientOfDetermination(p.mean, targets),
  };
  const variance = p.variance;
  if (!variance) return { ...point, nll: null, coverage90: null };
  return {
    ...point,
    nll: gaussianNegativeLogLikelihood(p.mean, variance, targets),
    coverage90: intervalCoverage(p.mean, variance, targets, 0.9),
    coverage: COVERAGE_LEVELS.map((level) => intervalCoverage(p.mean, variance, targets, level)),
  };
}
