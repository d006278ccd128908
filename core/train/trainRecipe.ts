import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.ts';
import type { TrainSettings } from '../spec/job.ts';
import { EarlyStopping, type EarlyStoppingState } from './earlyStopping.ts';
import { HardTargets, resolveClassWeights } from './hardTargets.ts';
import { LearningRateSchedule, type ScheduleState } from './learningRateSchedule.ts';

/** The recipe fields of a `train` section that the training loop applies. */
export type RecipeSettings = Pick<
  TrainSettings,
  | 'learningRate'
  | 'schedule'
  | 'weightDecay'
  | 'labelSmoothing'
  | 'clipNorm'
  | 'classWeights'
  | 'earlyStopping'
>;

/** What a checkpoint keeps of the recipe, so a resumed run continues it exactly. */
export interface RecipeState {
  schedule: ScheduleState;
  earlyStopping?: EarlyStoppingState;
}

/** A model's weights as copies (early stopping's best epoch). */
export interface WeightsCopy {
  values: Float32Array[];
  shapes: number[][];
}

/**
 * A training run's recipe: the schedule, early stopping with its best weights, and the hard-label
 * targets (label smoothing, class weights). Built once per run from the job's settings.
 */
export class TrainRecipe {
  readonly schedule: LearningRateSchedule;
  readonly earlyStopping: EarlyStopping | undefined;
  /** Undefined when the hard loss is plain cross-entropy on class indices. */
  readonly hardTargets: HardTargets | undefined;
  best: WeightsCopy | undefined;

  constructor(
    readonly settings: RecipeSettings,
    epochs: number,
    classes: number,
    train: Dataset,
    rows: Int32Array | undefined,
    /** Where the settings are in the job file, for messages, e.g. `members[0].train`. */
    path: string,
  ) {
    this.schedule = new LearningRateSchedule(settings.schedule, settings.learningRate, epochs);
    this.earlyStopping = settings.earlyStopping ? new EarlyStopping(settings.earlyStopping) : undefined;
    const weights = settings.classWeights
      ? resolveClassWeights(settings.classWeights, classes, train.y, rows, `${path}.classWeights`)
      : undefined;
    this.hardTargets =
      settings.labelSmoothing > 0 || weights
        ? new HardTargets(classes, settings.labelSmoothing, weights)
        : undefined;
  }

  get state(): RecipeState {
    return {
      schedule: this.schedule.state,
      ...(this.earlyStopping ? { earlyStopping: this.earlyStopping.state } : {}),
    };
  }

  restore(state: RecipeState, best: WeightsCopy | undefined): void {
    this.schedule.restore(state.schedule);
    if (this.earlyStopping && state.earlyStopping) this.earlyStopping.restore(state.earlyStopping);
    this.best = best;
  }

  /**
   * After an epoch (1-based `epoch`) with its validation scores: the plateau schedule and early stopping
   * take note; a new best epoch's weights are copied when they will be restored.
   */
  endEpoch(
    model: tf.LayersModel,
    epoch: number,
    val: { valLoss: number; valAccuracy: number } | undefined,
  ): void {
    this.schedule.observe(epoch - 1, val?.valLoss);
    if (!this.earlyStopping || !val) return;
    const improved = this.earlyStopping.observe(epoch, val);
    if (improved && this.earlyStopping.restoreBestWeights) this.best = copyWeights(model);
  }

  /** Whether early stopping has ended training. */
  get stopped(): boolean {
    return this.earlyStopping?.stopped ?? false;
  }

  /** Puts the best epoch's weights back, when early stopping is asked to. */
  restoreBest(model: tf.LayersModel): void {
    if (!this.earlyStopping?.restoreBestWeights || !this.best) return;
    const tensors = this.best.values.map((v, i) => tf.tensor(v, this.best!.shapes[i]!, 'float32'));
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
}

function copyWeights(model: tf.LayersModel): WeightsCopy {
  const weights = model.getWeights();
  return {
    values: weights.map((w) => w.dataSync<'float32'>().slice()),
    shapes: weights.map((w) => [...w.shape]),
  };
}
