import { resolve } from 'node:path';
import { DatasetError } from '../errors.ts';
import type { DataSource } from '../spec/data.ts';
import { loadCsvDataset } from './csv.ts';
import type { Dataset } from './dataset.ts';
import { loadIdxDataset } from './idx.ts';
import { loadMnistBundled } from './mnistBundled.ts';
import { loadNpyDataset } from './npy.ts';
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
 * Loads and validates a data source from the job file. Relative paths are resolved against `baseDir`
 * (the job file's folder); errors are `DatasetError`s naming the resolved path.
 */
export async function loadSource(
  source: DataSource,
  baseDir: string,
  options: LoadOptions = {},
): Promise<Dataset> {
  const at = (p: string): string => resolve(baseDir, p);
  const { classes } = options;
  let ds: Dataset;
  let name: string | { features: string; labels: string };
  switch (source.format) {
    case 'idx':
      name = { features: at(source.images), labels: at(source.labels) };
      ds = await loadIdxDataset(name.features, name.labels, classes);
      break;
    case 'csv':
      name = at(source.path);
      ds = await loadCsvDataset(name, source.labelColumn, classes);
      break;
    case 'npy':
      name = { features: at(source.features), labels: at(source.labels) };
      ds = await loadNpyDataset(name.features, name.labels, classes);
      break;
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
