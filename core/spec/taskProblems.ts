import type { JobFields } from './job.ts';
import { CLASSIFICATION_METHODS, REGRESSION_METHODS } from './jobTask.ts';

/** One problem, addressed by its path as zod addresses issues. */
export interface TaskProblem {
  path: (string | number)[];
  message: string;
}

type Train = Exclude<JobFields['members'][number]['train'], false>;

/**
 * Settings that belong to the other task: a regression job refuses what only makes sense for classes
 * (temperatures, calibration, label smoothing, class weights, accuracy, hard and soft votes, the
 * combiner's training epochs: its combiner is fitted by least squares), and a classification job
 * refuses Gaussian heads and the regression methods. Also: out-of-fold folds need the stacking method.
 * Runs on the parse before TASK_DEFAULTS, so that a field the user wrote is told from a default.
 */
export function taskProblems(spec: JobFields): TaskProblem[] {
  const problems: TaskProblem[] = [];
  const at = (path: (string | number)[], message: string) => problems.push({ path, message });
  const methods = spec.ensemble.methods ?? [];
  if (spec.ensemble.stacking.folds !== undefined && !methods.includes('stacking')) {
    at(
      ['ensemble', 'stacking', 'folds'],
      'out-of-fold predictions train a stacking combiner: add stacking to ensemble.methods',
    );
  }
  if (spec.task === 'regression') regressionProblems(spec, at);
  else {
    const own: readonly string[] = CLASSIFICATION_METHODS;
    methods.forEach((m, i) => {
      if (!own.includes(m)) {
        at(['ensemble', 'methods', i], `"${m}" combines regressors: it needs task: regression`);
      }
    });
    const gaussian = 'a Gaussian head predicts a mean and a variance: it needs task: regression';
    spec.members.forEach((m, i) => {
      if (m.head === 'gaussian') at(['members', i, 'head'], gaussian);
    });
    if (spec.distillation?.student.head === 'gaussian') at(['distillation', 'student', 'head'], gaussian);
  }
  return problems;
}

const REGRESSION_SOURCES = new Set(['csv', 'npy']);

function regressionProblems(spec: JobFields, at: (path: (string | number)[], message: string) => void): void {
  const classes = 'a regression job has no classes';
  for (const split of ['train', 'test'] as const) {
    const format = spec.data[split]?.format;
    if (format !== undefined && !REGRESSION_SOURCES.has(format)) {
      at(
        ['data', split, 'format'],
        `${format} data holds class labels; a regression job reads real-valued targets from csv or npy files`,
      );
    }
  }
  if (spec.data.classes !== undefined) at(['data', 'classes'], classes);
  const own: readonly string[] = REGRESSION_METHODS;
  (spec.ensemble.methods ?? []).forEach((m, i) => {
    if (!own.includes(m)) {
      at(
        ['ensemble', 'methods', i],
        `"${m}" votes on classes; a regression job combines by ${REGRESSION_METHODS.join(', ')}`,
      );
    }
  });
  if (spec.ensemble.calibrate) {
    at(
      ['ensemble', 'calibrate'],
      'temperature scaling calibrates class probabilities: a regression job has none',
    );
  }
  for (const field of ['epochs', 'batchSize', 'learningRate'] as const) {
    if (spec.ensemble.stacking[field] !== undefined) {
      at(
        ['ensemble', 'stacking', field],
        'the regression combiner is fitted by least squares, not trained: it takes no epochs, batchSize or learningRate',
      );
    }
  }
  if (spec.teacher.softTargets !== undefined) {
    at(
      ['teacher', 'softTargets'],
      'soft targets are class probabilities: a regression teacher passes on its mean and variance',
    );
  }
  spec.members.forEach((m, i) => {
    if (m.train !== false) trainProblems(m.train, ['members', i, 'train'], at);
    if (m.model !== undefined) at(['members', i, 'model'], MODEL_FILES);
  });
  const d = spec.distillation;
  if (d) {
    if (d.temperature !== undefined) {
      at(
        ['distillation', 'temperature'],
        'a temperature softens class probabilities: a regression student has none',
      );
    }
    if (d.teacherTargets.includes('online')) {
      at(
        ['distillation', 'teacherTargets'],
        'a regression student learns from the teacher offline (its predictions on the training split): use offline',
      );
    }
    trainProblems(d.student.train, ['distillation', 'student', 'train'], at);
    if (d.student.model !== undefined) at(['distillation', 'student', 'model'], MODEL_FILES);
  }
}

const MODEL_FILES = 'model files are for classification jobs; a regression model is built from layers';

function trainProblems(
  train: Train,
  path: (string | number)[],
  at: (path: (string | number)[], message: string) => void,
): void {
  if (train.labelSmoothing > 0) {
    at([...path, 'labelSmoothing'], 'label smoothing spreads class targets: a regression job has none');
  }
  if (train.classWeights !== undefined) {
    at([...path, 'classWeights'], 'class weights weigh classes: a regression job has none');
  }
  if (train.earlyStopping?.metric === 'valAccuracy') {
    at(
      [...path, 'earlyStopping', 'metric'],
      'a regression job has no accuracy: use valLoss (the validation loss)',
    );
  }
}
