import { DatasetError } from '../errors.ts';
import type { DataSource } from '../spec/data.ts';
import { csvToDataset } from './csv.ts';
import { diskDataFiles, readPair, type DataFiles } from './dataFiles.ts';
import type { Dataset } from './dataset.ts';
import { idxFilesToDataset } from './idx.ts';
import { loadMnistBundled } from './mnistBundled.ts';
import { npyFilesToDataset } from './npy.ts';
import { makeSynthetic } from './synthetic.ts';
import { validateDataset } from './validate.ts';

export interface LoadOptions {
  /**
   * Number of classes, when known from elsewhere (e.g. the model's output units): labels must lie in
   * [0, classes). Without it, file formats take the largest label + 1.
   */
  readonly classes?: number;
}

/**
 * Loads and validates a data source from the job file. Files come from `files` (see dataFiles.ts);
 * given a folder instead, from disk, relative paths resolved against it (the job file's folder).
 * Errors are `DatasetError`s naming the file as `files.nameOf` does (on disk: the resolved path).
 */
export async function loadSource(
  source: DataSource,
  from: string | DataFiles,
  options: LoadOptions = {},
): Promise<Dataset> {
  const files = typeof from === 'string' ? diskDataFiles(from) : from;
  const { classes } = options;
  let ds: Dataset;
  let name: string | { features: string; labels: string };
  switch (source.format) {
    case 'idx': {
      name = { features: files.nameOf(source.images), labels: files.nameOf(source.labels) };
      const [images, labels] = await readPair(files, source.images, source.labels);
      ds = idxFilesToDataset(images, labels, { images: name.features, labels: name.labels }, classes);
      break;
    }
    case 'csv':
      name = files.nameOf(source.path);
      ds = csvToDataset(await files.read(source.path), name, source.labelColumn, classes);
      break;
    case 'npy': {
      name = { features: files.nameOf(source.features), labels: files.nameOf(source.labels) };
      const [features, labels] = await readPair(files, source.features, source.labels);
      ds = npyFilesToDataset(features, labels, name, classes);
      break;
    }
    case 'mnist-bundled':
      name = 'mnist-bundled';
      ds = await loadMnistBundled(source.start, source.count);
      break;
    case 'synthetic':
      name = 'synthetic';
      ds = makeSynthetic(source);
      break;
  }
  const labelsFile = typeof name === 'string' ? name : name.labels;
  if (ds.count === 0) throw new DatasetError(labelsFile, 'no samples');
  if (classes !== undefined && ds.classes !== classes) {
    // Bundled and synthetic sources fix their own class count; a mismatch means the job is inconsistent.
    throw new DatasetError(labelsFile, `has ${ds.classes} classes, but ${classes} were expected`);
  }
  // Loaders validate as they go; this is a cheap final guard for sources built in memory.
  if (source.format === 'synthetic' || source.format === 'mnist-bundled') validateDataset(ds, name);
  return ds;
}
