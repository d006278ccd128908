import type { SpecIssue } from '../errors.ts';
import type { DataSource } from './data.ts';
import type { DataSpec } from './job.ts';

/** What the job file alone tells about its samples, before any data is loaded. */
export interface KnownDataShape {
  /** Shape of one sample as the models see it (after `data.sampleShape`); undefined for file sources. */
  sampleShape: number[] | undefined;
  /** Number of classes if the job fixes it; undefined when it comes from the labels in data files. */
  classes: number | undefined;
  /** Shapes that cannot fit together (sampleShape vs. the source, train vs. test). */
  issues: SpecIssue[];
}

const MNIST_SHAPE = [28, 28, 1];
const MNIST_CLASSES = 10;

/** Sample shape and classes of a source whose shape does not depend on a file. */
function sourceShape(source: DataSource | undefined): { shape: number[]; classes: number } | undefined {
  if (source === undefined) return undefined;
  if (source.format === 'synthetic') return { shape: [source.features], classes: source.classes };
  if (source.format === 'mnist-bundled') return { shape: MNIST_SHAPE, classes: MNIST_CLASSES };
  return undefined;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * The sample shape and class count the models will get, when the job file determines them, and the
 * problems `prepareData` would otherwise find only after loading everything.
 */
export function knownDataShape(data: DataSpec): KnownDataShape {
  const issues: SpecIssue[] = [];
  const train = sourceShape(data.train);
  const test = sourceShape(data.test);
  if (train && test && size(train.shape) !== size(test.shape)) {
    issues.push({
      path: 'data.test',
      message: `test samples have ${size(test.shape)} values (${fmt(test.shape)}) but training samples have ${size(train.shape)} (${fmt(train.shape)})`,
    });
  }
  if (data.sampleShape && train && size(data.sampleShape) !== size(train.shape)) {
    issues.push({
      path: 'data.sampleShape',
      message: `${fmt(data.sampleShape)} holds ${size(data.sampleShape)} values but each training sample has ${size(train.shape)} (${fmt(train.shape)})`,
    });
  }
  for (const [split, known] of [
    ['train', train],
    ['test', test],
  ] as const) {
    if (known && data.classes !== undefined && known.classes !== data.classes) {
      issues.push({
        path: 'data.classes',
        message: `${data.classes} classes, but data.${split} (${data[split]?.format}) has ${known.classes}`,
      });
    }
  }
  const fixed = [train?.classes, test?.classes].filter((k) => k !== undefined);
  const classes = data.classes ?? (fixed.length > 0 ? Math.max(...fixed) : undefined);
  const sampleShape = data.sampleShape ? [...data.sampleShape] : train?.shape;
  return { sampleShape: issues.length > 0 ? undefined : sampleShape, classes, issues };
}
