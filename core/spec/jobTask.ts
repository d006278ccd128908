import { z } from 'zod';

/**
 * What a job predicts: class labels (`classification`, the default) or real-valued targets
 * (`regression`), and how a regression model ends: one linear output (the mean), or a Gaussian head
 * (a mean and a variance, trained with the Gaussian negative log-likelihood).
 */

export const jobTask = z.enum(['classification', 'regression'], {
  error: 'expected "classification" or "regression"',
});
export type JobTask = z.output<typeof jobTask>;

export const outputHead = z.enum(['linear', 'gaussian'], { error: 'expected "linear" or "gaussian"' });
export type OutputHead = z.output<typeof outputHead>;

/** The ensemble methods of each task (`stacking` belongs to both, with a combiner of each kind). */
export const CLASSIFICATION_METHODS = ['hard', 'soft', 'stacking'] as const;
export const REGRESSION_METHODS = ['mean', 'weighted', 'median', 'stacking'] as const;

export const ensembleMethod = z.enum(['hard', 'soft', 'stacking', 'mean', 'weighted', 'median']);
export type EnsembleMethod = z.output<typeof ensembleMethod>;

/** Values per sample a model outputs: the classes' logits, or a regression head's mean (and variance). */
export function outputUnits(task: JobTask, head: OutputHead, classes: number): number {
  if (task === 'classification') return classes;
  return head === 'gaussian' ? 2 : 1;
}
