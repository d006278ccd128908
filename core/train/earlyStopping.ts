import type { EarlyStoppingSpec } from '../spec/trainRecipe.ts';

/** Early stopping's progress (checkpointed, so a resume continues its count). */
export interface EarlyStoppingState {
  /** Best value of the watched metric so far; null before the first epoch. */
  best: number | null;
  /** 1-based epoch that reached `best`. */
  bestEpoch: number;
  /** Epochs since then without an improvement of more than minDelta. */
  wait: number;
  /** Set once patience ran out: training ends after this epoch. */
  stopped: boolean;
}

/**
 * Watches a validation metric after every epoch (Keras' EarlyStopping semantics): an epoch improves
 * when it beats the best by more than minDelta (lower loss, higher accuracy); after `patience` epochs
 * without one, training stops.
 */
export class EarlyStopping {
  private s: EarlyStoppingState = { best: null, bestEpoch: 0, wait: 0, stopped: false };

  constructor(private readonly spec: EarlyStoppingSpec) {}

  /** Records epoch `epoch` (1-based): returns whether it is the new best. */
  observe(epoch: number, metrics: { valLoss: number; valAccuracy: number }): boolean {
    const value = metrics[this.spec.metric];
    const lowerIsBetter = this.spec.metric === 'valLoss';
    const best = this.s.best;
    const improved =
      best === null ||
      (lowerIsBetter ? value < best - this.spec.minDelta : value > best + this.spec.minDelta);
    if (improved) {
      this.s = { best: value, bestEpoch: epoch, wait: 0, stopped: false };
      return true;
    }
    const wait = this.s.wait + 1;
    this.s = { ...this.s, wait, stopped: wait >= this.spec.patience };
    return false;
  }

  get stopped(): boolean {
    return this.s.stopped;
  }

  get restoreBestWeights(): boolean {
    return this.spec.restoreBestWeights;
  }

  get state(): EarlyStoppingState {
    return { ...this.s };
  }

  restore(state: EarlyStoppingState): void {
    this.s = { ...state };
  }
}
