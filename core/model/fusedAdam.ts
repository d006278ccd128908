import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP, type AdamStepAttrs } from '../backend/adamStepKernel.ts';

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** The private state of tfjs' AdamOptimizer this subclass reads and writes (names as in tfjs 4.x). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * tfjs' Adam, with each variable's update done by one fused kernel (`ChorusAdamStep`) where the current
 * backend registers it (Chorus' wasm backend). Same state, names, checkpoints (getWeights/setWeights),
 * config and class name as `tf.train.adam`, and the same f32 arithmetic, so results match tfjs' Adam;
 * on other backends, and for float32-incompatible variables, it is tfjs' Adam unchanged.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (tf.getKernel(ADAM_STEP, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const gradients = names.map((name, i) =>
      Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name],
    );
    const values = names.map((name) => tf.engine().registeredVariables[name]);
    if (values.some((v, i) => v !== undefined && v.dtype !== 'float32' && gradients[i] != null)) {
      super.applyGradients(variableGradients);
      return;
    }
    const accBeta1 = s.accBeta1.dataSync()[0] ?? 0;
    const accBeta2 = s.accBeta2.dataSync()[0] ?? 0;
    const attrs: AdamStepAttrs = {
      beta1: s.beta1,
      beta2: s.beta2,
      epsilon: s.epsilon,
      learningRate: s.learningRate,
      accBeta1,
      accBeta2,
    };
    names.forEach((name, i) => {
      const value = values[i];
      if (value === undefined) throw new Error(`FusedAdamOptimizer: no variable named ${name}`);
      // Created on first use, with the names and trainable flag tfjs' Adam gives them.
      const first = (s.accumulatedFirstMoment[i] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      });
      const second = (s.accumulatedSecondMoment[i] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      });
      const gradient = gradients[i];
      if (gradient == null) return;
      const outputs = tf
        .engine()
        .runKernel(
          ADAM_STEP,
          { param: value, grad: gradient, m: first.variable, v: second.variable },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      const [p2, m2, v2] = outputs as [tf.Tensor, tf.Tensor, tf.Tensor];
      value.assign(p2);
      first.variable.assign(m2);
      second.variable.assign(v2);
      tf.dispose(outputs);
    });
    // accBeta = accBeta * beta, in float32 as tfjs computes it.
    tf.tidy(() => {
      s.accBeta1.assign(tf.scalar(Math.fround(accBeta1 * Math.fround(s.beta1))));
      s.accBeta2.assign(tf.scalar(Math.fround(accBeta2 * Math.fround(s.beta2))));
    });
    this.incrementIterations();
  }
}
