export { softmaxRows, logSoftmaxRows } from './softmax.ts';
export { hardVote, weightedVotes } from './hardVote.ts';
export { softVote } from './softVote.ts';
export { meanLogits } from './meanLogits.ts';
export { teacherSoftTargets } from './softTargets.ts';
export type { SoftTargetMode } from './softTargets.ts';
export { stackingFeatures } from './stackingFeatures.ts';
export { PROBABILITY_SUM_TOLERANCE } from './validate.ts';
