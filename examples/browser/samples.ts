import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareData } from '../../core/data/prepareData.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';

/** What the page reads from `/samples.json`: test samples as the run's models saw them, and their labels. */
export interface Samples {
  shape: number[];
  classes: number;
  /** One flat array of values per sample. */
  x: number[][];
  y: number[];
}

/**
 * The first `count` samples of a run's test split, prepared as the run prepared them (its `job.json`:
 * the same sources, normalisation and seed). Relative data paths are read from `dataDir`.
 */
export async function runTestSamples(runDir: string, count: number, dataDir: string): Promise<Samples> {
  const job = JSON.parse(await readFile(join(runDir, 'job.json'), 'utf8')) as ResolvedJob;
  const data = await prepareData(job.data, dataDir, job.seed);
  const size = data.sampleShape.reduce((a, b) => a * b, 1);
  const n = Math.min(count, data.test.count);
  return {
    shape: [...data.sampleShape],
    classes: data.classes,
    x: Array.from({ length: n }, (_, i) => Array.from(data.test.x.subarray(i * size, (i + 1) * size))),
    y: Array.from(data.test.y.subarray(0, n)),
  };
}
