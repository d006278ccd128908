export { buildModel, type BuildModelOptions } from './buildModel.ts';
export { makeOptimizer, type OptimizerName, type OptimizerOptions } from './optimizer.ts';
export { seededDropout, type SeededDropoutOptions } from './seededDropout.ts';
export {
  buildStackingCombiner,
  trainStackingCombiner,
  type StackingCombinerOptions,
  type TrainStackingOptions,
  type TrainedStackingCombiner,
} from './stacking.ts';
export { buildAveragingEnsemble, type AveragingEnsembleOptions } from './averagingEnsemble.ts';
export { fileLoadHandler, fileSaveHandler, loadModel, saveModel, MODEL_JSON, WEIGHTS_BIN } from './fileIO.ts';
