/**
 * Expected calibration error over equal-width confidence bins (see reliabilityBins.ts for the binning:
 * bin b holds confidences in (b/bins, (b+1)/bins]).
 */
import { DEFAULT_CALIBRATION_BINS, reliabilityBins } from './reliabilityBins.ts';

/** ECE = Σ_b (|B_b| / n) · |accuracy(B_b) − meanConfidence(B_b)|; empty bins contribute nothing. */
export function expectedCalibrationError(
  probabilities: Float32Array,
  labels: Int32Array,
  classes: number,
  bins = DEFAULT_CALIBRATION_BINS,
): number {
  const table = reliabilityBins(probabilities, labels, classes, bins);
  const n = labels.length;
  let ece = 0;
  for (const bin of table) {
    if (bin.count === 0 || bin.accuracy === null || bin.meanConfidence === null) continue;
    ece += (bin.count / n) * Math.abs(bin.accuracy - bin.meanConfidence);
  }
  return ece;
}
