import type { LearningRateScheduleSpec } from '../spec/trainRecipe.ts';

/** What a plateau schedule carries from epoch to epoch (checkpointed, so a resume continues it). */
export interface ScheduleState {
  /** The plateau schedule's current rate (after its reductions so far). */
  plateauRate: number;
  /** Best validation loss seen after warm-up; null before the first. */
  best: number | null;
  /** Epochs since the best without an improvement of more than minDelta. */
  wait: number;
}

/**
 * The learning rate of each epoch. `constant`, `step` and `cosine` are functions of the epoch alone;
 * `plateau` also depends on the validation losses seen so far (its state). Warm-up, when asked, comes
 * first for every type: epoch e < w trains at base · (e + 1) / w.
 */
export class LearningRateSchedule {
  private s: ScheduleState;

  constructor(
    private readonly spec: LearningRateScheduleSpec,
    private readonly base: number,
    private readonly epochs: number,
  ) {
    this.s = { plateauRate: base, best: null, wait: 0 };
  }

  /** The rate for epoch `epoch` (0-based), given the state after the epochs before it. */
  rateAt(epoch: number): number {
    const w = this.spec.warmupEpochs;
    if (epoch < w) return (this.base * (epoch + 1)) / w;
    const e = epoch - w;
    switch (this.spec.type) {
      case 'constant':
        return this.base;
      case 'step':
        return this.base * this.spec.factor ** Math.floor(e / this.spec.everyEpochs);
      case 'cosine': {
        const span = Math.max(1, this.epochs - w);
        const min = Math.min(this.spec.minLearningRate, this.base);
        return min + ((this.base - min) * (1 + Math.cos((Math.PI * e) / span))) / 2;
      }
      case 'plateau':
        return this.s.plateauRate;
    }
  }

  /** After epoch `epoch` (0-based) with its validation loss: a plateau schedule may lower its rate. */
  observe(epoch: number, valLoss: number | undefined): void {
    if (this.spec.type !== 'plateau' || valLoss === undefined || epoch < this.spec.warmupEpochs) return;
    const { factor, patience, minDelta, minLearningRate } = this.spec;
    if (this.s.best === null || valLoss < this.s.best - minDelta) {
      this.s = { ...this.s, best: valLoss, wait: 0 };
      return;
    }
    const wait = this.s.wait + 1;
    if (wait >= patience) {
      this.s = { ...this.s, plateauRate: Math.max(this.s.plateauRate * factor, minLearningRate), wait: 0 };
    } else {
      this.s = { ...this.s, wait };
    }
  }

  get state(): ScheduleState {
    return { ...this.s };
  }

  restore(state: ScheduleState): void {
    this.s = { ...state };
  }
}
