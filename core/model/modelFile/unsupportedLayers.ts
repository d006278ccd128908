import * as tf from '@tensorflow/tfjs';
import { classNameOf, forEachLayer, layerName, type Json } from './kerasTopology.ts';

/**
 * The layers of a model file that tfjs cannot build: classes it does not register (Keras layers tfjs
 * lacks, `Lambda`, custom layers), named with the layers that use them, e.g. `Lambda (layer "lambda_1")`.
 */
export function unsupportedLayers(model: Json): string[] {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  const byClass = new Map<string, string[]>();
  forEachLayer(model, (layer) => {
    const className = classNameOf(layer);
    if (className in known) return;
    byClass.set(className, [...(byClass.get(className) ?? []), layerName(layer)]);
  });
  return [...byClass].map(([className, names]) => {
    const shown = names.slice(0, 3).map((n) => JSON.stringify(n));
    const more = names.length > 3 ? ` and ${names.length - 3} more` : '';
    return `${className} (layer${names.length === 1 ? '' : 's'} ${shown.join(', ')}${more})`;
  });
}

/**
 * Layers that draw unseeded random numbers while training (tfjs gives them no seed), so a model with
 * them cannot be trained reproducibly; at inference they pass their input through. Dropout is seeded by
 * Chorus instead (see seededDropout.ts), unless it has a `noise_shape`.
 */
export function unseededNoiseLayers(model: Json): string[] {
  const found: string[] = [];
  forEachLayer(model, (layer) => {
    const className = classNameOf(layer);
    const config = layer['config'] as Record<string, unknown> | undefined;
    const shapedDropout = className === 'Dropout' && config?.['noise_shape'] != null;
    if (NOISE_LAYERS.has(className) || shapedDropout) found.push(`${className} ("${layerName(layer)}")`);
  });
  return found;
}

const NOISE_LAYERS = new Set(['SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);
