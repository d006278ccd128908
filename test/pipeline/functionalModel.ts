import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../core/data/dataset.ts';
import { saveModel } from '../../core/model/fileIO.ts';

/**
 * A model as users bring them from elsewhere, built and trained with tfjs itself (no Chorus code in the
 * model): functional, image input [28, 28, 1], a residual connection (`tf.layers.add`), a side branch
 * joined by `concatenate`, and a final softmax. Trained briefly with `model.fit` on `train` and saved in
 * the standard format (model.json + weights.bin) into `dir`. Seeded, so every test run gets the same one.
 */
export async function saveTrainedFunctionalModel(dir: string, train: Dataset, epochs = 3): Promise<void> {
  await tf.setBackend('cpu');
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [28, 28, 1] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: seeded(1) }).apply(flat);
  const block = tf.layers
    .dense({ units: 32, activation: 'relu', kernelInitializer: seeded(2) })
    .apply(hidden);
  const residual = tf.layers.add().apply([hidden, block] as tf.SymbolicTensor[]);
  const side = tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: seeded(3) }).apply(flat);
  const joined = tf.layers.concatenate().apply([residual, side] as tf.SymbolicTensor[]);
  const output = tf.layers
    .dense({ units: 10, activation: 'softmax', kernelInitializer: seeded(4) })
    .apply(joined) as tf.SymbolicTensor;
  const model = tf.model({ name: 'brought', inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.003), loss: 'sparseCategoricalCrossentropy' });
  const x = tf.tensor4d(train.x, [train.count, 28, 28, 1]);
  const y = tf.tensor2d(Float32Array.from(train.y), [train.count, 1]);
  await model.fit(x, y, { epochs, batchSize: 64, shuffle: false, verbose: 0 });
  await saveModel(model, dir);
  tf.dispose([x, y]);
  model.dispose();
}
