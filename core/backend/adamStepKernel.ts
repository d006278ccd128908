/** Name of Chorus' fused Adam kernel; an optimizer uses it where the current backend registers it. */
export const ADAM_STEP = 'ChorusAdamStep';

/** Attributes of one Adam step; `accBeta1` / `accBeta2` are beta^t as tfjs' AdamOptimizer keeps them. */
export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  accBeta1: number;
  accBeta2: number;
}
