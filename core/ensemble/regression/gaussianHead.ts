/**
 * A Gaussian head outputs two values per sample: the mean, and a raw value whose softplus (plus a
 * floor) is the variance, as in Lakshminarayanan et al. (2017): σ² = log(1 + exp(raw)) + 1e-6. The
 * floor keeps the negative log-likelihood finite when a member grows very sure. Training (tf) and
 * the report (float64) apply the same formula.
 */
export const MIN_VARIANCE = 1e-6;

/** softplus(raw) + MIN_VARIANCE, in float64, without overflow for large raw values. */
export function varianceFromRaw(raw: number): number {
  const softplus = raw > 30 ? raw : Math.log1p(Math.exp(raw));
  return softplus + MIN_VARIANCE;
}
