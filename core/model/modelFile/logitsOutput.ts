import {
  classNameOf,
  findLayer,
  isJsonObject,
  isModelClass,
  layerName,
  layersOf,
  outputRefs,
  removeLayer,
  setOutputRef,
  singleInbound,
  type Json,
} from './kerasTopology.ts';

/**
 * Chorus works in logits: voting, temperature scaling and distillation start from a model's pre-softmax
 * output. A model file ending in a softmax (a layer's `activation: softmax`, a final `Softmax` layer or
 * `Activation('softmax')`) is used through the softmax's input, with the same weights: whatever tensor a
 * softmax reads is a vector of logits with exactly the model's probabilities. A final layer with another
 * non-linear activation (sigmoid, relu, …) has no such input to read, and is refused.
 */

/** How the output was made logits (for the report), or what stops it. */
export type LogitsOutcome = { readThrough?: string } | { problem: string };

/** Edits `model` (a topology's `{ class_name, config }`, see kerasTopology.ts) in place. */
export function makeLogitsOutput(model: Json): LogitsOutcome {
  const outputs = outputRefs(model);
  if (outputs.length !== 1) {
    return { problem: `the model has ${outputs.length} outputs; Chorus needs exactly one, the class scores` };
  }
  const name = outputs[0]?.[0] ?? '';
  const layer = findLayer(model, name);
  if (!layer) return { problem: `its output layer "${name}" is not among its layers` };
  if (isModelClass(layer)) return makeLogitsOutput(layer); // a nested model's own output
  const className = classNameOf(layer);
  const config = isJsonObject(layer['config']) ? layer['config'] : {};
  const activation = config['activation'];
  const where = `its output layer "${name}" (${className})`;

  if (className === 'Softmax' || (className === 'Activation' && activation === 'softmax')) {
    const axis = config['axis'];
    if (className === 'Softmax' && axis !== undefined && axis !== null && axis !== -1 && axis !== 1) {
      return { problem: `${where} takes the softmax over axis ${String(axis)}, not over the classes` };
    }
    const dropped = dropOutputLayer(model, layer);
    if (dropped) return { problem: `${where} is a softmax that Chorus cannot read through: ${dropped}` };
    return { readThrough: `the final ${className} layer "${name}" is left out: its input is the logits` };
  }
  if (activation === 'softmax') {
    config['activation'] = 'linear';
    return { readThrough: `the softmax of the output layer "${name}" is left out: its logits are used` };
  }
  if (activation !== undefined && activation !== null && activation !== 'linear') {
    const what = typeof activation === 'string' ? activation : 'a custom activation';
    return { problem: `${where} applies ${what}: ${NEED_LOGITS}` };
  }
  if (NON_LINEAR_LAYERS.has(className)) return { problem: `${where} is non-linear: ${NEED_LOGITS}` };
  return {};
}

const NEED_LOGITS =
  'Chorus works in logits and reads a softmax output through its input, but no other non-linear output; end the model in a linear layer or a softmax';

/** Layer classes that are activations themselves (Activation with another function is caught by its config). */
const NON_LINEAR_LAYERS = new Set(['Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU']);

/** Takes the output layer out, its input becoming the model's output; or says why it cannot. */
function dropOutputLayer(model: Json, layer: Json): string | undefined {
  const name = layerName(layer);
  if (classNameOf(model) === 'Sequential') {
    const layers = layersOf(model);
    if (layers.length < 2) return 'it is the model’s only layer';
    // The first layer of a Sequential config carries the input shape; a softmax there computes nothing else.
    if (layers[0] === layer) return 'it is the model’s first layer';
    removeLayer(model, name);
    return undefined;
  }
  const input = singleInbound(layer);
  if (!input) return 'it is called on several tensors, or more than once';
  const usedElsewhere = layersOf(model).some(
    (other) => other !== layer && JSON.stringify(other['inbound_nodes'] ?? []).includes(JSON.stringify(name)),
  );
  setOutputRef(model, input);
  if (!usedElsewhere) removeLayer(model, name);
  return undefined;
}
