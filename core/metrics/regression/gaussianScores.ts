import { NonRetryableError } from '../../errors.ts';

/**
 * Central intervals of a Gaussian predictive distribution: mean ± z·σ holds probability `level` for
 * z = Φ⁻¹((1 + level) / 2). The levels of the calibration plot, with their z (to float64 precision).
 */
export const COVERAGE_LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99] as const;
const Z = [
  0.12566134685507416, 0.2533471031357997, 0.38532046640756773, 0.5244005127080407, 0.6744897501960817,
  0.8416212335729143, 1.0364333894937898, 1.2815515655446004, 1.6448536269514722, 1.959963984540054,
  2.5758293035489004,
] as const;

export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];

/** Φ⁻¹((1 + level) / 2) for a level of COVERAGE_LEVELS. */
export function zOfLevel(level: CoverageLevel): number {
  return Z[COVERAGE_LEVELS.indexOf(level)]!;
}

function check(
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  targets: ArrayLike<number>,
  what: string,
): number {
  const n = targets.length;
  if (mean.length !== n || variance.length !== n) {
    throw new NonRetryableError(
      `${what}: ${mean.length} means and ${variance.length} variances for ${n} targets`,
    );
  }
  if (n === 0) throw new NonRetryableError(`${what}: no samples`);
  return n;
}

/**
 * Mean Gaussian negative log-likelihood of the targets, ½ log(2πσ²) + (y − μ)² / 2σ², in nats per
 * sample; in the targets' units (rescaling the targets by s adds log s).
 */
export function gaussianNegativeLogLikelihood(
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  targets: ArrayLike<number>,
): number {
  const n = check(mean, variance, targets, 'Gaussian NLL');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = variance[i]!;
    if (!(v > 0)) throw new NonRetryableError(`Gaussian NLL: variance ${v} at sample ${i} is not positive`);
    sum += 0.5 * Math.log(2 * Math.PI * v) + (targets[i]! - mean[i]!) ** 2 / (2 * v);
  }
  return sum / n;
}

/** The fraction of targets inside the central interval of probability `level`: |y − μ| <= z·σ. */
export function intervalCoverage(
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  targets: ArrayLike<number>,
  level: CoverageLevel,
): number {
  const n = check(mean, variance, targets, 'coverage');
  const z = zOfLevel(level);
  let inside = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(targets[i]! - mean[i]!) <= z * Math.sqrt(variance[i]!)) inside++;
  }
  return inside / n;
}
