/**
 * Exports an averaging ensemble as ONE tfjs LayersModel that outputs **probabilities**:
 *
 *   p(x) = sum_i w_i * softmax(member_i(x) / T)          (average: 'probabilities', the default)
 *   p(x) = softmax((sum_i w_i * member_i(x)) / T)        (average: 'logits')
 *
 * with w normalised to sum to 1. Members must output logits (as every `buildModel` model does).
 *
 * Only stock tfjs layers are used (nested member models, `rescaling` for 1/T and for the weights,
 * `softmax`, `average`/`add`), so the saved model.json loads with a plain `tf.loadLayersModel`, in
 * Node or a browser, without registering custom layers.
 *
 * Members are *copied* into the ensemble with their model and layer names prefixed (`<name>_m<i>_...`):
 * members built by different workers commonly share names (`model`, `model_l0_dense`), and tfjs refuses
 * two sub-models of one name in a model and saves weights under their layer names (so duplicates could
 * not be loaded back). The copy also makes the ensemble independent of the members: disposing a member
 * does not break it.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelSpecError } from '../errors.ts';

export interface AveragingEnsembleOptions {
  /** One non-negative weight per member (normalised here); default: equal weights. */
  weights?: readonly number[];
  /** Softmax temperature T > 0; default 1. */
  temperature?: number;
  /** Average the members' probabilities (default) or their logits. */
  average?: 'probabilities' | 'logits';
  /** Model name, also the prefix of its layer names. Default `ensemble`. */
  name?: string;
}

type Config = tf.serialization.ConfigDict;

export function buildAveragingEnsemble(
  members: readonly tf.LayersModel[],
  options: AveragingEnsembleOptions = {},
): tf.LayersModel {
  const name = options.name ?? 'ensemble';
  const temperature = options.temperature ?? 1;
  const average = options.average ?? 'probabilities';
  if (members.length === 0) throw new ModelSpecError('ensemble: no members');
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new ModelSpecError(`temperature: expected a positive number, got ${temperature}`);
  }
  const weights = normaliseWeights(options.weights, members.length);
  const inputShape = checkMembers(members);

  const input = tf.input({ shape: inputShape, name: `${name}_input` });
  const kept: { logits: tf.SymbolicTensor; weight: number }[] = [];
  members.forEach((member, i) => {
    const weight = weights[i] ?? 0;
    if (weight === 0) return; // contributes nothing; leaving it out keeps the exported model smaller
    const copy = copyWithPrefix(member, `${name}_m${i}_`);
    kept.push({ logits: copy.apply(input) as tf.SymbolicTensor, weight });
  });

  const uniform = kept.every((k) => k.weight === kept[0]?.weight);
  // Weighted mean of tensors: `average` when all weights are equal, else rescale each and `add`.
  const weightedMean = (tensors: tf.SymbolicTensor[], tag: string): tf.SymbolicTensor => {
    if (tensors.length === 1) return tensors[0] as tf.SymbolicTensor;
    if (uniform)
      return tf.layers.average({ name: `${name}_${tag}_mean` }).apply(tensors) as tf.SymbolicTensor;
    const scaled = tensors.map(
      (t, j) =>
        tf.layers
          .rescaling({ name: `${name}_${tag}_w${j}`, scale: kept[j]?.weight ?? 0 })
          .apply(t) as tf.SymbolicTensor,
    );
    return tf.layers.add({ name: `${name}_${tag}_sum` }).apply(scaled) as tf.SymbolicTensor;
  };
  const softmax = (t: tf.SymbolicTensor, tag: string): tf.SymbolicTensor => {
    const scaled =
      temperature === 1
        ? t
        : (tf.layers
            .rescaling({ name: `${name}_${tag}_temperature`, scale: 1 / temperature })
            .apply(t) as tf.SymbolicTensor);
    return tf.layers.softmax({ name: `${name}_${tag}_softmax` }).apply(scaled) as tf.SymbolicTensor;
  };

  const output =
    average === 'probabilities'
      ? weightedMean(
          kept.map((k, j) => softmax(k.logits, `p${j}`)),
          'prob',
        )
      : softmax(
          weightedMean(
            kept.map((k) => k.logits),
            'logit',
          ),
          'mean',
        );
  return tf.model({ name, inputs: input, outputs: output });
}

function normaliseWeights(weights: readonly number[] | undefined, count: number): number[] {
  if (weights === undefined) return new Array<number>(count).fill(1 / count);
  if (weights.length !== count) {
    throw new ModelSpecError(`weights: expected one weight per member (${count}), got ${weights.length}`);
  }
  weights.forEach((w, i) => {
    if (!(Number.isFinite(w) && w >= 0))
      throw new ModelSpecError(`weights[${i}]: expected a non-negative number, got ${w}`);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new ModelSpecError('weights: at least one weight must be positive');
  return weights.map((w) => w / total);
}

/** All members must map the same input shape to the same `[classes]` output; returns the input shape. */
function checkMembers(members: readonly tf.LayersModel[]): number[] {
  const shapeOf = (t: tf.SymbolicTensor | undefined): string => JSON.stringify(t?.shape.slice(1) ?? null);
  const first = members[0] as tf.LayersModel;
  members.forEach((m, i) => {
    if (m.inputs.length !== 1 || m.outputs.length !== 1) {
      throw new ModelSpecError(
        `members[${i}] (${m.name}): expected one input and one output, got ${m.inputs.length} and ${m.outputs.length}`,
      );
    }
    const outShape = m.outputs[0]?.shape ?? [];
    if (outShape.length !== 2) {
      throw new ModelSpecError(
        `members[${i}] (${m.name}): expected output [batch, classes], got ${JSON.stringify(outShape)}`,
      );
    }
    if (
      shapeOf(m.inputs[0]) !== shapeOf(first.inputs[0]) ||
      shapeOf(m.outputs[0]) !== shapeOf(first.outputs[0])
    ) {
      throw new ModelSpecError(
        `members[${i}] (${m.name}): maps input ${shapeOf(m.inputs[0])} to ${shapeOf(m.outputs[0])}, ` +
          `but members[0] maps ${shapeOf(first.inputs[0])} to ${shapeOf(first.outputs[0])}`,
      );
    }
  });
  return (first.inputs[0]?.shape.slice(1) ?? []).map((d) => d ?? -1);
}

/** A copy of `model` (same architecture and weight values) whose model and layer names carry `prefix`. */
function copyWithPrefix(model: tf.LayersModel, prefix: string): tf.LayersModel {
  // JSON round trip: a deep copy of plain data, as a saved model.json would hold it.
  const config = JSON.parse(JSON.stringify(model.getConfig())) as Config;
  renameModelConfig(config, prefix);
  const copy =
    model instanceof tf.Sequential
      ? tf.Sequential.fromConfig<tf.Sequential>(tf.Sequential, config)
      : tf.LayersModel.fromConfig<tf.LayersModel>(tf.LayersModel, config);
  const values = model.getWeights();
  copy.setWeights(values);
  return copy;
}

/**
 * Prefixes the model's name and every layer name in a tfjs model config (Sequential or functional),
 * including the references in functional `inboundNodes`, `inputLayers` and `outputLayers`, and
 * recursing into nested models.
 */
function renameModelConfig(config: Config, prefix: string): void {
  if (typeof config['name'] === 'string') config['name'] = prefix + config['name'];
  const layers = config['layers'];
  if (!Array.isArray(layers)) return;
  const functional = Array.isArray(config['inputLayers']);
  for (const entry of layers) {
    if (!isConfig(entry)) continue;
    const inner = entry['config'];
    if (typeof entry['name'] === 'string') entry['name'] = prefix + entry['name'];
    if (isConfig(inner)) {
      if (Array.isArray(inner['layers'])) renameModelConfig(inner, prefix);
      else if (typeof inner['name'] === 'string') inner['name'] = prefix + inner['name'];
    }
    if (functional && Array.isArray(entry['inboundNodes'])) {
      for (const node of entry['inboundNodes']) {
        if (Array.isArray(node)) node.forEach((ref) => renameRef(ref, prefix));
      }
    }
  }
  if (functional) {
    for (const key of ['inputLayers', 'outputLayers']) {
      const refs = config[key];
      if (Array.isArray(refs)) refs.forEach((ref) => renameRef(ref, prefix));
    }
  }
}

/** A functional-config reference `[layerName, nodeIndex, tensorIndex, ...]`. */
function renameRef(ref: unknown, prefix: string): void {
  if (Array.isArray(ref) && typeof ref[0] === 'string') ref[0] = prefix + ref[0];
}

function isConfig(x: unknown): x is Config {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
