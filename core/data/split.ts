import { NonRetryableError } from '../errors.ts';
import type { Dataset } from './dataset.ts';
import { featureSize } from './dataset.ts';
import { permutation, Rng } from './random.ts';

/**
 * Selecting samples: subsets, slices, a seeded train/validation split, bootstrap draws and shard ranges.
 * Argument problems are `NonRetryableError`s: they come from the job file, and retrying cannot help.
 */

/** The samples at `indices`, in that order (repeats allowed, as in a bootstrap sample); copies. */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const f = featureSize(ds);
  const n = indices.length;
  const x = new Float32Array(n * f);
  const y = new Int32Array(n);
  const targets = ds.targets ? new Float32Array(n) : undefined;
  for (let k = 0; k < n; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= ds.count) {
      throw new NonRetryableError(`subset: index ${i} at position ${k} is outside [0, ${ds.count})`);
    }
    x.set(ds.x.subarray(i * f, (i + 1) * f), k * f);
    y[k] = ds.y[i] as number;
    if (targets) targets[k] = ds.targets![i]!;
  }
  return {
    x,
    y,
    ...(targets ? { targets } : {}),
    count: n,
    sampleShape: ds.sampleShape,
    classes: ds.classes,
  };
}

/**
 * Samples `[start, end)`. Views, not copies: a slice of a SharedArrayBuffer-backed dataset stays
 * shared, so soft-label shards read the training set without copying it.
 */
export function slice(ds: Dataset, start: number, end: number = ds.count): Dataset {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > ds.count || start > end) {
    throw new NonRetryableError(`slice: [${start}, ${end}) is not a range within [0, ${ds.count})`);
  }
  const f = featureSize(ds);
  return {
    x: ds.x.subarray(start * f, end * f),
    y: ds.y.subarray(start, end),
    ...(ds.targets ? { targets: ds.targets.subarray(start, end) } : {}),
    count: end - start,
    sampleShape: ds.sampleShape,
    classes: ds.classes,
  };
}

export interface TrainValidationSplit {
  readonly train: Dataset;
  readonly validation: Dataset;
  /** Positions in the source dataset, ascending. */
  readonly trainIndices: Int32Array;
  readonly validationIndices: Int32Array;
}

/**
 * Holds out `round(fraction × count)` samples, chosen by a permutation from `seed`, as the validation
 * split. Both splits keep the source order (indices ascending). With a fraction in (0, 1) each split gets
 * at least one sample, which needs count ≥ 2; fraction 0 gives an empty validation split and `train`
 * is `ds` itself.
 */
export function trainValidationSplit(ds: Dataset, fraction: number, seed: number): TrainValidationSplit {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new NonRetryableError(`validation fraction must be in [0, 1), got ${fraction}`);
  }
  const { trainIndices, validationIndices } = validationSplitIndices(ds.count, fraction, seed);
  if (validationIndices.length === 0) {
    return { train: ds, validation: subset(ds, []), trainIndices, validationIndices };
  }
  return {
    train: subset(ds, trainIndices),
    validation: subset(ds, validationIndices),
    trainIndices,
    validationIndices,
  };
}

/** The rows of `trainValidationSplit` for `n` samples, without the samples (tables are split before encoding). */
export function validationSplitIndices(
  n: number,
  fraction: number,
  seed: number,
): Pick<TrainValidationSplit, 'trainIndices' | 'validationIndices'> {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new NonRetryableError(`validation fraction must be in [0, 1), got ${fraction}`);
  }
  if (fraction === 0) {
    return {
      trainIndices: Int32Array.from({ length: n }, (_, i) => i),
      validationIndices: new Int32Array(0),
    };
  }
  if (n < 2) {
    throw new NonRetryableError(
      `cannot hold out a validation fraction of ${fraction} from ${n} sample${n === 1 ? '' : 's'}: need at least 2`,
    );
  }
  const nVal = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const perm = permutation(n, seed);
  return { validationIndices: perm.slice(0, nVal).sort(), trainIndices: perm.slice(nVal).sort() };
}

/** `size` (default n) indices drawn uniformly from [0, n) with replacement, determined by `seed`. */
export function bootstrapIndices(n: number, seed: number, size: number = n): Int32Array {
  if (!Number.isInteger(n) || n < 1)
    throw new NonRetryableError(`bootstrap: need at least 1 sample, got ${n}`);
  if (!Number.isInteger(size) || size < 0)
    throw new NonRetryableError(`bootstrap: invalid sample size ${size}`);
  const rng = new Rng(seed);
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.nextInt(n);
  return out;
}

export interface ShardRange {
  readonly shard: number;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/**
 * Splits [0, n) into contiguous ranges whose sizes differ by at most one (larger ones first).
 * Never returns an empty shard: with more shards than samples you get `n` shards of one sample
 * (and none for n = 0), so a planner never schedules a task with nothing to do.
 */
export function shardRanges(n: number, shards: number): ShardRange[] {
  if (!Number.isInteger(n) || n < 0) throw new NonRetryableError(`shardRanges: invalid sample count ${n}`);
  if (!Number.isInteger(shards) || shards < 1) {
    throw new NonRetryableError(`shardRanges: shard count must be a positive integer, got ${shards}`);
  }
  const k = Math.min(shards, n);
  const base = Math.floor(n / Math.max(k, 1));
  const extra = n - base * k;
  const out: ShardRange[] = [];
  let start = 0;
  for (let shard = 0; shard < k; shard++) {
    const end = start + base + (shard < extra ? 1 : 0);
    out.push({ shard, start, end });
    start = end;
  }
  return out;
}
