/**
 * Reading and editing a model.json's `modelTopology` as tfjs and Keras write it (snake_case keys):
 * `{ class_name: 'Sequential' | 'Functional' | 'Model', config: { name, layers, input_layers?,
 * output_layers? } }`, wrapped in `{ model_config: … }` by `tensorflowjs_converter`. Plain JSON in, plain
 * JSON out, no tfjs: what Chorus changes in a model file (its output, its initializers) it changes here,
 * before tfjs builds the model.
 */

export type Json = Record<string, unknown>;

/** Class names of models that may appear as a topology or as a layer nested in one. */
const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

export function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `{ class_name, config }` of the model itself, or undefined when the topology is not a Keras model. */
export function modelConfigOf(topology: Json): Json | undefined {
  const model = isJsonObject(topology['model_config']) ? topology['model_config'] : topology;
  return typeof model['class_name'] === 'string' && isModelClass(model) ? model : undefined;
}

export function isModelClass(layer: Json): boolean {
  return typeof layer['class_name'] === 'string' && MODEL_CLASSES.has(layer['class_name']);
}

/** A model's layer entries (a legacy Sequential config is the list itself). */
export function layersOf(model: Json): Json[] {
  const config = model['config'];
  const layers = Array.isArray(config) ? config : isJsonObject(config) ? config['layers'] : undefined;
  return Array.isArray(layers) ? layers.filter(isJsonObject) : [];
}

export function layerName(layer: Json): string {
  const config = layer['config'];
  const name = layer['name'] ?? (isJsonObject(config) ? config['name'] : undefined);
  return typeof name === 'string' ? name : '(unnamed)';
}

export function classNameOf(layer: Json): string {
  return typeof layer['class_name'] === 'string' ? layer['class_name'] : '(no class_name)';
}

/** Calls `visit` on every layer entry, depth first, nested models' layers included (after the model itself). */
export function forEachLayer(model: Json, visit: (layer: Json) => void): void {
  for (const layer of layersOf(model)) {
    visit(layer);
    if (isModelClass(layer)) forEachLayer(layer, visit);
  }
}

/** A reference `[layer name, node index, tensor index, …]` in a functional config. */
type TensorRef = [string, number, number, ...unknown[]];

function isRef(value: unknown): value is TensorRef {
  return Array.isArray(value) && typeof value[0] === 'string';
}

/** The model's outputs: `output_layers` of a functional model, the last layer of a Sequential one. */
export function outputRefs(model: Json): TensorRef[] {
  if (classNameOf(model) === 'Sequential') {
    const last = layersOf(model).at(-1);
    return last ? [[layerName(last), 0, 0]] : [];
  }
  const config = model['config'];
  const refs = isJsonObject(config) ? config['output_layers'] : undefined;
  // Keras writes a single output as one reference, not a list of one.
  if (isRef(refs)) return [refs];
  return Array.isArray(refs) ? refs.filter(isRef) : [];
}

export function findLayer(model: Json, name: string): Json | undefined {
  return layersOf(model).find((l) => layerName(l) === name);
}

/**
 * The tensor a functional layer was called on (its single inbound reference), for replacing the layer
 * in `output_layers` by its input. Undefined when the layer was called on several tensors or more than once.
 */
export function singleInbound(layer: Json): TensorRef | undefined {
  const nodes = layer['inbound_nodes'];
  if (!Array.isArray(nodes) || nodes.length !== 1) return undefined;
  const node = nodes[0];
  if (!Array.isArray(node) || node.length !== 1 || !isRef(node[0])) return undefined;
  const [name, nodeIndex, tensorIndex] = node[0];
  return [name, nodeIndex, tensorIndex];
}

/** Sets a functional model's single output reference (in the form the config already uses). */
export function setOutputRef(model: Json, ref: TensorRef): void {
  const config = model['config'];
  if (!isJsonObject(config)) return;
  config['output_layers'] = isRef(config['output_layers']) ? ref : [ref];
}

/** Removes a layer entry by name (the caller rewires whatever referred to it). */
export function removeLayer(model: Json, name: string): void {
  const config = model['config'];
  const layers = Array.isArray(config) ? config : isJsonObject(config) ? config['layers'] : undefined;
  if (!Array.isArray(layers)) return;
  const i = layers.findIndex((l) => isJsonObject(l) && layerName(l) === name);
  if (i >= 0) layers.splice(i, 1);
}

/** A deep copy of plain JSON. */
export function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
