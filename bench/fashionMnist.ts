import path from 'node:path';
import type { Dataset } from '../core/data/dataset.ts';
import { loadIdxDataset } from '../core/data/idx.ts';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST (Debian's dataset-fashion-mnist) scaled to [0, 1]; `flat` gives [784] samples instead of [28, 28, 1]. */
export async function loadFashionMnist(split: 'train' | 't10k', flat: boolean): Promise<Dataset> {
  const ds = await loadIdxDataset(
    path.join(FASHION_MNIST_DIR, `${split}-images-idx3-ubyte.gz`),
    path.join(FASHION_MNIST_DIR, `${split}-labels-idx1-ubyte.gz`),
  );
  // The loader's float copy of the bytes is ours to scale in place.
  const x = ds.x;
  for (let i = 0; i < x.length; i++) x[i] = x[i]! / 255;
  return flat ? { ...ds, sampleShape: [784] } : ds;
}
