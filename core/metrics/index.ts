export { argmaxRows, argmaxRow } from './argmaxRows.ts';
export { accuracy } from './accuracy.ts';
export { negativeLogLikelihood, NLL_EPSILON } from './negativeLogLikelihood.ts';
export { agreement } from './agreement.ts';
export { reliabilityBins, binOf, DEFAULT_CALIBRATION_BINS } from './reliabilityBins.ts';
export type { ReliabilityBin } from './reliabilityBins.ts';
export { expectedCalibrationError } from './expectedCalibrationError.ts';
