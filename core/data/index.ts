/** Datasets: readers (IDX, CSV, NPY, bundled MNIST, synthetic), validation, scaling, splits, sharing. */
export type { Dataset } from './dataset.ts';
export { featureSize } from './dataset.ts';
export { Rng, deriveSeed, permutation, shuffleInPlace } from './random.ts';
export type { ReadDataFileOptions } from './readDataFile.ts';
export {
  MAX_DATA_FILE_BYTES,
  decodeDataFile,
  isGzip,
  readDataFile,
  readRawDataFile,
} from './readDataFile.ts';
export type { DataFiles, DataFilesOptions } from './dataFiles.ts';
export { diskDataFiles, memoryDataFiles, pathDataFiles, readPair } from './dataFiles.ts';
export { describeText } from './describeText.ts';
export type { IdxArray, IdxFiles, IdxType, IdxValues } from './idx.ts';
export { idxFilesToDataset, idxToDataset, loadIdxDataset, parseIdx, sampleShapeOf } from './idx.ts';
export type { LabelColumn } from './csv.ts';
export { csvToDataset, loadCsvDataset, parseCsv } from './csv.ts';
export type { NpyArray, NpyFiles, NpyValues } from './npy.ts';
export { loadNpyDataset, npyFilesToDataset, npyToDataset, parseNpy } from './npy.ts';
export { MNIST_BUNDLED_COUNT, loadMnistBundled } from './mnistBundled.ts';
export type { SyntheticOptions, SyntheticSource } from './synthetic.ts';
export { makeSynthetic } from './synthetic.ts';
export {
  classesOf,
  validateDataset,
  validateFeatureLayout,
  validateFeatures,
  validateLabels,
} from './validate.ts';
export type { Normalizer } from './normalize.ts';
export { applyNormalizer, fitNormalizer } from './normalize.ts';
export type { ShardRange, TrainValidationSplit } from './split.ts';
export { bootstrapIndices, shardRanges, slice, subset, trainValidationSplit } from './split.ts';
export { isShared, toShared } from './shared.ts';
export type { LoadOptions } from './load.ts';
export { loadSource } from './load.ts';
