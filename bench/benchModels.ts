import type * as tf from '@tensorflow/tfjs';
import { buildModel } from '../core/model/buildModel.ts';
import { makeOptimizer } from '../core/model/optimizer.ts';
import { layerSpec, type LayerSpec, type LayerSpecInput } from '../core/spec/layers.ts';

/** The benchmark architectures; Chorus appends the dense(10) logits layer (and the flatten before it). */
export type BenchModel = 'mlp' | 'cnn';

export const MODEL_LABELS: Record<BenchModel, string> = {
  mlp: 'MLP 784-256-10',
  cnn: 'CNN conv3×3×16-maxpool-conv3×3×32-maxpool-dense10',
};

const LAYERS: Record<BenchModel, LayerSpecInput[]> = {
  mlp: [{ type: 'dense', units: 256, activation: 'relu' }],
  cnn: [
    { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
    { type: 'maxPooling2d' },
    { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
    { type: 'maxPooling2d' },
  ],
};

export function benchLayers(model: BenchModel): LayerSpec[] {
  return LAYERS[model].map((l) => layerSpec.parse(l));
}

/** Input shape the model is fed: the MLP takes flat rows, the CNN images. */
export function benchInputShape(model: BenchModel): number[] {
  return model === 'mlp' ? [784] : [28, 28, 1];
}

/** The model and an Adam optimizer (lr 0.001, Chorus' default), as a train task builds them. */
export function buildBenchModel(
  model: BenchModel,
  seed = 1,
): { model: tf.LayersModel; optimizer: tf.Optimizer } {
  return {
    model: buildModel({
      layers: benchLayers(model),
      inputShape: benchInputShape(model),
      classes: 10,
      seed,
      name: model,
    }),
    optimizer: makeOptimizer({ name: 'adam', learningRate: 0.001 }),
  };
}
