/**
 * Exports an averaging ensemble as ONE tfjs LayersModel that outputs **probabilities**:
 *
 *   p(x) = sum_i w_i * softmax(member_i(x) / T)          (average: 'probabilities', the default)
 *   p(x) = softmax((sum_i w_i * member_i(x)) / T)        (average: 'logits')
 *
 * with w normalised to sum to 1. Members must output logits (as every `buildModel` model does).
 *
 * With a `calibrationTemperature` Tc (temperature scaling after averaging, see
 * core/ensemble/temperatureScaling.ts) the output is q = softmax(log(p) / Tc) instead:
 * - logits: log p = z/T − logsumexp(z/T), so q = softmax(z / (T·Tc)): one rescaling before the softmax.
 * - probabilities: tfjs-layers has no `log` or `pow` layer, but log p needs none, because
 *   log p_c = log Σ_i w_i softmax(t_i/T)_c = logsumexp_i(a_ic) with a_ic = logSoftmax(t_i/T)_c + log w_i,
 *   a logsumexp over the member axis. The graph stacks a into [batch, classes, members] and uses
 *   logsumexp(a) = a − logSoftmax(a) (the stock `logSoftmax` activation over the last axis; every member
 *   column then holds the same value), averages those columns back to [batch, classes]
 *   (`permute` + `globalAveragePooling1d`), rescales by 1/Tc and applies `softmax`. It works in log space
 *   throughout, so a class whose probability underflows float32 still gets its exact share.
 *
 * Only stock tfjs layers are used (nested member models, `rescaling` for 1/T and for the weights,
 * `softmax`, `average`/`add`; with calibration also `activation: logSoftmax`, `reshape`, `concatenate`,
 * `permute`, `globalAveragePooling1d`), so the saved model.json loads with a plain `tf.loadLayersModel`,
 * in Node or a browser, without registering custom layers.
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
  /**
   * Temperature scaling after averaging: output softmax(log(p) / calibrationTemperature), p the averaged
   * probabilities. Default 1 (none). The value is also kept in the model's `userDefinedMetadata`.
   */
  calibrationTemperature?: number;
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
  const calibration = options.calibrationTemperature ?? 1;
  for (const [field, t] of [
    ['temperature', temperature],
    ['calibrationTemperature', calibration],
  ] as const) {
    if (!(Number.isFinite(t) && t > 0)) {
      throw new ModelSpecError(`${field}: expected a positive number, got ${t}`);
    }
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
  const scale = (t: tf.SymbolicTensor, by: number, tag: string): tf.SymbolicTensor =>
    by === 1 ? t : (tf.layers.rescaling({ name: `${name}_${tag}`, scale: by }).apply(t) as tf.SymbolicTensor);
  const softmax = (t: tf.SymbolicTensor, tag: string, t2 = temperature): tf.SymbolicTensor =>
    tf.layers
      .softmax({ name: `${name}_${tag}_softmax` })
      .apply(scale(t, 1 / t2, `${tag}_temperature`)) as tf.SymbolicTensor;

  let output: tf.SymbolicTensor;
  if (average === 'logits') {
    const mean = weightedMean(
      kept.map((k) => k.logits),
      'logit',
    );
    // softmax(log softmax(z/T) / Tc) = softmax(z / (T·Tc)): one rescaling does both.
    output = softmax(mean, 'mean', temperature * calibration);
  } else if (calibration === 1) {
    output = weightedMean(
      kept.map((k, j) => softmax(k.logits, `p${j}`)),
      'prob',
    );
  } else {
    const logP = logWeightedMean(
      kept.map((k, j) => {
        const logSoftmax = tf.layers
          .activation({ name: `${name}_p${j}_log_softmax`, activation: LOG_SOFTMAX })
          .apply(scale(k.logits, 1 / temperature, `p${j}_temperature`)) as tf.SymbolicTensor;
        // + log w: the rescaling layer's offset.
        return tf.layers
          .rescaling({ name: `${name}_p${j}_log_weight`, scale: 1, offset: Math.log(k.weight) })
          .apply(logSoftmax) as tf.SymbolicTensor;
      }),
      name,
    );
    output = softmax(logP, 'calibrated', calibration);
  }
  const model = tf.model({ name, inputs: input, outputs: output });
  if (options.calibrationTemperature !== undefined) {
    model.setUserDefinedMetadata({ chorus: { calibrationTemperature: calibration, average } });
  }
  return model;
}

/**
 * The stock activation computing log softmax. tfjs-layers registers it (class name `logSoftmax`) but leaves
 * it out of its `ActivationIdentifier` type, hence the cast; the name is what model.json stores.
 */
const LOG_SOFTMAX = 'logSoftmax' as Parameters<typeof tf.layers.activation>[0]['activation'];

/**
 * log Σ_i exp(a_i) over members, elementwise, for per-member [batch, classes] tensors a_i (each
 * logSoftmax + log w_i, so the result is log p). Stock layers only: see the file comment.
 */
function logWeightedMean(a: tf.SymbolicTensor[], name: string): tf.SymbolicTensor {
  if (a.length === 1) return a[0] as tf.SymbolicTensor; // logsumexp of one value is itself
  const classes = a[0]?.shape[1] ?? 0;
  const columns = a.map(
    (t, j) =>
      tf.layers
        .reshape({ name: `${name}_lse_col${j}`, targetShape: [classes, 1] })
        .apply(t) as tf.SymbolicTensor,
  );
  const stacked = tf.layers
    .concatenate({ name: `${name}_lse_stack`, axis: -1 })
    .apply(columns) as tf.SymbolicTensor; // [batch, classes, members]
  const logSoftmax = tf.layers
    .activation({ name: `${name}_lse_log_softmax`, activation: LOG_SOFTMAX })
    .apply(stacked) as tf.SymbolicTensor;
  const negated = tf.layers
    .rescaling({ name: `${name}_lse_negate`, scale: -1 })
    .apply(logSoftmax) as tf.SymbolicTensor;
  // a − logSoftmax(a) = logsumexp(a), the same in every member column.
  const lse = tf.layers.add({ name: `${name}_lse` }).apply([stacked, negated]) as tf.SymbolicTensor;
  const byMember = tf.layers
    .permute({ name: `${name}_lse_transpose`, dims: [2, 1] })
    .apply(lse) as tf.SymbolicTensor; // [batch, members, classes]
  return tf.layers.globalAveragePooling1d({ name: `${name}_log_mean` }).apply(byMember) as tf.SymbolicTensor;
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
  // The weights are set right after: drawing random initial values first (glorot over every kernel,
  // on the coordinator's CPU) was most of the export's time.
  zeroInitializers(config);
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

/** Replaces every `…Initializer` in a model config (at any depth) with zeros. */
function zeroInitializers(config: unknown): void {
  if (Array.isArray(config)) {
    config.forEach(zeroInitializers);
    return;
  }
  if (!isConfig(config)) return;
  for (const [key, value] of Object.entries(config)) {
    if (key.endsWith('Initializer') && isConfig(value)) config[key] = { className: 'Zeros', config: {} };
    else zeroInitializers(value);
  }
}

/** A functional-config reference `[layerName, nodeIndex, tensorIndex, ...]`. */
function renameRef(ref: unknown, prefix: string): void {
  if (Array.isArray(ref) && typeof ref[0] === 'string') ref[0] = prefix + ref[0];
}

function isConfig(x: unknown): x is Config {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
