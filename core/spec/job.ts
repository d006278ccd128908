import { z } from 'zod';
import { backendChoice } from '../backend/backendChoice.ts';
import { dataSource, normalization } from './data.ts';
import {
  boundedPositiveInt,
  fraction,
  identifier,
  nonNegativeNumber,
  numberOrList,
  positiveNumber,
  seed,
  unitInterval,
} from './fields.ts';
import { augmentOverride, augmentSpec } from './augment.ts';
import { layerSpec } from './layers.ts';
import { DEFAULT_PRIORITY, priority } from './priority.ts';
import { modelSourceFields } from './modelSource.ts';
import { SPEC_LIMITS } from './specLimits.ts';
import { teacherTargetsSpec, trainRecipeFields } from './trainRecipe.ts';
import { ensembleMethod, jobTask, outputHead, type EnsembleMethod, type JobTask } from './jobTask.ts';
import { taskProblems } from './taskProblems.ts';

/**
 * The job file's schema, as a user writes it. Every default lives here (zod `.default`, and
 * `TASK_DEFAULTS` for the few fields whose default depends on the task or that a regression job must
 * not set), so the parsed object is complete; `resolveJob` then expands replicas and sweeps into
 * concrete lists.
 */

export const optimizerName = z.enum(['adam', 'sgd', 'rmsprop', 'momentum']);

const epochs = boundedPositiveInt(SPEC_LIMITS.epochs, 'epochs');
const batchSize = boundedPositiveInt(SPEC_LIMITS.batchSize, 'samples per batch');

export const trainSettings = z.strictObject({
  epochs: epochs.default(5),
  batchSize: batchSize.default(128),
  learningRate: positiveNumber().default(0.001),
  optimizer: optimizerName.default('adam'),
  ...trainRecipeFields,
});

const layers = z.array(layerSpec, { error: 'expected a list of layers' }).max(SPEC_LIMITS.layersPerModel, {
  error: `expected at most ${SPEC_LIMITS.layersPerModel} layers (the limit)`,
});

export const memberSpec = z.strictObject({
  name: identifier(),
  /** Hidden layers; Chorus appends the output layer (one unit per class, logits). */
  layers: layers.default([]),
  ...modelSourceFields,
  /** `false`: a pretrained member (a model file used with its weights as they are) that only predicts. */
  train: z
    .union([z.literal(false), trainSettings], {
      error: 'expected train settings ({ epochs, batchSize, … }) or false (a pretrained model file)',
    })
    .prefault({}),
  /** Seed of the first replica; replica r uses seed + r. Default: derived from the job seed. */
  seed: seed().optional(),
  /** Train on a bootstrap sample (n draws with replacement) of the training split. */
  bootstrap: z.boolean({ error: 'expected true or false' }).default(false),
  /** Copies of this member with seeds seed, seed+1, …; named `<name>-<r>` when more than one. */
  replicas: boundedPositiveInt(SPEC_LIMITS.members, 'replicas').default(1),
  /** Replaces `data.augment` for this member; `false` trains it without augmentation. */
  augment: augmentOverride.optional(),
  /** Regression: a linear output (the mean) or a Gaussian head (mean and variance). */
  head: outputHead.default('linear'),
});

/** The classification combiner's training (absent: TASK_DEFAULTS), and out-of-fold stacking. */
export const stackingSettings = z.strictObject({
  epochs: epochs.optional(),
  batchSize: batchSize.optional(),
  learningRate: positiveNumber().optional(),
  /** Also fit a combiner on out-of-fold predictions: each member is trained `folds` more times. */
  folds: boundedPositiveInt(SPEC_LIMITS.folds, 'folds')
    .min(2, { error: 'expected an integer >= 2 (folds of the training split)' })
    .optional(),
});

export const ensembleSpec = z.strictObject({
  /** Default: TASK_DEFAULTS.methods of the job's task. */
  methods: z.array(ensembleMethod).min(1, { error: 'expected at least one ensemble method' }).optional(),
  /** Voting weight per member (group name or expanded replica name); unnamed members weigh 1. */
  weights: z.record(z.string(), nonNegativeNumber()).default({}),
  stacking: stackingSettings.prefault({}),
  /**
   * Temperature scaling after averaging: fit one temperature T on the validation split (minimum NLL) so the
   * soft vote's probabilities softmax(log(p) / T) are calibrated; the report shows NLL and ECE before and
   * after, and the exported ensemble model applies its own fitted T. The predicted classes do not change.
   */
  calibrate: z.boolean({ error: 'expected true or false' }).default(false),
});

export const teacherSpec = z.strictObject({
  /** `all` members, or a list of member names (group or replica names). */
  members: z
    .union([z.literal('all'), z.array(z.string()).min(1)], {
      error: 'expected "all" or a non-empty list of member names',
    })
    .default('all'),
  /** Ensemble soft targets: mean of members' softmax(t/T), or softmax of the mean logit / T. */
  softTargets: z.enum(['probabilities', 'logits']).optional(),
});

export const studentSpec = z.strictObject({
  name: identifier().default('student'),
  layers: layers.default([]),
  ...modelSourceFields,
  train: trainSettings.prefault({}),
  seed: seed().optional(),
  /** Replaces `data.augment` for the students; `false` trains them without augmentation. */
  augment: augmentOverride.optional(),
  /** Regression: a linear output, or a Gaussian head that also learns the teacher's variance. */
  head: outputHead.default('linear'),
});

export const distillationSpec = z.strictObject({
  student: studentSpec,
  /** Softmax temperature T; a list runs a sweep. */
  temperature: numberOrList(positiveNumber(), 'a positive number', SPEC_LIMITS.sweepValues).optional(),
  /** Weight of the soft (teacher) term, in [0, 1]; a list runs a sweep. */
  alpha: numberOrList(unitInterval(), 'a number between 0 and 1', SPEC_LIMITS.sweepValues).default([0.9]),
  /** Also train the student on hard labels only, to show what distillation bought. */
  baseline: z.boolean({ error: 'expected true or false' }).default(true),
  /** Number of soft-label shard tasks over the training split. */
  shards: boundedPositiveInt(SPEC_LIMITS.shards, 'shards').default(2),
  /**
   * `offline`: soft labels computed once on the training split (shards); `online`: the student's task runs
   * the teacher members on every (augmented) batch it trains on, so both see the same view. Both (a list)
   * trains each distilled student both ways, side by side.
   */
  teacherTargets: teacherTargetsSpec,
});

export const dataSpec = z
  .strictObject({
    train: dataSource,
    /** The test source; or, with `testSplit`, none: the test split is held out of `train`. */
    test: dataSource.optional(),
    /** Fraction of the training source held out (seeded) as the test split, when there is no `test`. */
    testSplit: z
      .number({ error: 'expected a number in (0, 1)' })
      .gt(0, { error: 'expected a number in (0, 1)' })
      .lt(1, { error: 'expected a number in (0, 1)' })
      .optional(),
    /** Fraction of the training source held out for validation (stacking and calibration use it). */
    validationSplit: fraction().default(0.1),
    normalize: normalization.default('none'),
    /** Reshape each sample, e.g. [784] or [28, 28, 1]; must keep the number of values. */
    sampleShape: z
      .array(boundedPositiveInt(SPEC_LIMITS.dimension, 'values per dimension'))
      .min(1)
      .max(8, { error: 'expected at most 8 dimensions' })
      .optional(),
    /** Number of classes; default: largest label in train and test + 1. */
    classes: boundedPositiveInt(SPEC_LIMITS.classes, 'classes')
      .min(2, { error: 'expected at least 2 classes' })
      .optional(),
    /** Training-time augmentation of image-shaped samples (members and students; each may replace it). */
    augment: augmentSpec.optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.test === undefined) === (d.testSplit === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: d.test === undefined ? ['test'] : ['testSplit'],
        message:
          d.test === undefined
            ? 'expected a test source, or a testSplit to hold out of data.train'
            : 'a testSplit holds the test split out of data.train: give test or testSplit, not both',
      });
    }
  });

export const runtimeSpec = z.strictObject({
  /** Worker threads; `auto` = the machine's cores. */
  slots: z
    .union([z.literal('auto'), boundedPositiveInt(SPEC_LIMITS.slots, 'slots')], {
      error: `expected "auto" or a positive integer (at most ${SPEC_LIMITS.slots})`,
    })
    .default('auto'),
  backend: backendChoice.default('auto'),
  /** Attempts per task before the job fails. */
  maxAttempts: boundedPositiveInt(SPEC_LIMITS.maxAttempts, 'attempts').default(3),
  /**
   * Training writes an epoch's checkpoint only once this many seconds have passed since the last one
   * (0: after every epoch). Each write costs I/O (and network, distributed); short epochs need not
   * pay it every time, and a crash loses at most this much training plus the epoch in progress.
   */
  checkpointSeconds: nonNegativeNumber()
    .max(SPEC_LIMITS.checkpointSeconds, {
      error: `expected at most ${SPEC_LIMITS.checkpointSeconds} seconds (the limit)`,
    })
    .default(10),
  /**
   * Distributed mode: the job's class on a shared cluster (high, normal, low). Higher classes are
   * dispatched first; `chorus submit --priority` overrides it. No effect on the job's numbers.
   */
  priority: priority.default(DEFAULT_PRIORITY),
});

const jobFields = z.strictObject({
  name: identifier(),
  /** What the members predict: classes (default) or real-valued targets. */
  task: jobTask.default('classification'),
  /** Base seed: members, splits and students without their own seed derive theirs from it. */
  seed: seed().default(0),
  data: dataSpec,
  members: z
    .array(memberSpec)
    .min(1, { error: 'expected at least one member' })
    .max(SPEC_LIMITS.members, { error: `expected at most ${SPEC_LIMITS.members} members (the limit)` }),
  ensemble: ensembleSpec.prefault({}),
  teacher: teacherSpec.prefault({}),
  distillation: distillationSpec.optional(),
  runtime: runtimeSpec.prefault({}),
});

/** The defaults that depend on the task, or that must stay unset in the parse to tell a written value. */
export const TASK_DEFAULTS = {
  methods: { classification: ['hard', 'soft'], regression: ['mean', 'median'] },
  stacking: { epochs: 30, batchSize: 64, learningRate: 0.01 },
  softTargets: 'probabilities',
  temperature: [4],
} as const satisfies {
  methods: Record<JobTask, readonly EnsembleMethod[]>;
  stacking: object;
  softTargets: string;
  temperature: readonly number[];
};

/** A job file's fields as parsed, before TASK_DEFAULTS: what `taskProblems` reads. */
export type JobFields = z.output<typeof jobFields>;

export interface StackingSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  folds?: number;
}

function withTaskDefaults(spec: JobFields) {
  const { methods, stacking, ...ensemble } = spec.ensemble;
  const { folds, ...combiner } = stacking;
  const { distillation: d, ...rest } = spec;
  return {
    ...rest,
    ensemble: {
      ...ensemble,
      methods: methods ?? [...TASK_DEFAULTS.methods[spec.task]],
      stacking: {
        epochs: combiner.epochs ?? TASK_DEFAULTS.stacking.epochs,
        batchSize: combiner.batchSize ?? TASK_DEFAULTS.stacking.batchSize,
        learningRate: combiner.learningRate ?? TASK_DEFAULTS.stacking.learningRate,
        ...(folds !== undefined ? { folds } : {}),
      } satisfies StackingSettings,
    },
    teacher: { ...spec.teacher, softTargets: spec.teacher.softTargets ?? TASK_DEFAULTS.softTargets },
    ...(d ? { distillation: { ...d, temperature: d.temperature ?? [...TASK_DEFAULTS.temperature] } } : {}),
  };
}

export const jobSpec = jobFields
  .superRefine((spec, ctx) => {
    for (const issue of taskProblems(spec)) ctx.addIssue({ code: 'custom', ...issue });
  })
  .transform(withTaskDefaults);

/** A job file's content as written. */
export type JobSpecInput = z.input<typeof jobSpec>;
/** A job file's content with every default filled (before replicas and sweeps are expanded). */
export type JobSpecParsed = z.output<typeof jobSpec>;
export type TrainSettings = z.output<typeof trainSettings>;
export type { EnsembleMethod } from './jobTask.ts';
export type DataSpec = z.output<typeof dataSpec>;
export type RuntimeSpec = z.output<typeof runtimeSpec>;
