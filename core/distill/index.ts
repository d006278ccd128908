export { distillationLoss, distillationSoftTerm, distillationHardTerm } from './loss.ts';
export type { DistillLabels } from './loss.ts';
export { distillationLossReference } from './lossReference.ts';
export type { DistillationLossParts } from './lossReference.ts';
