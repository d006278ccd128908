import { deriveSeed } from '../../data/random.ts';
import { forEachLayer, isJsonObject, type Json } from './kerasTopology.ts';

/**
 * `weights: random` re-initialises a model file's topology from the member's (or student's) seed: every
 * random initializer in it gets an explicit seed derived from (seed, layer position, initializer position),
 * as `buildModel` seeds the layers of a job file. The same seed then gives bit-identical initial weights
 * in every thread and process; without it tfjs would draw from Math.random.
 */

/** tfjs initializers that draw random numbers and take a `seed` (the others are constants). */
const RANDOM_INITIALIZERS = new Set([
  'RandomUniform',
  'RandomNormal',
  'TruncatedNormal',
  'VarianceScaling',
  'GlorotUniform',
  'GlorotNormal',
  'HeUniform',
  'HeNormal',
  'LeCunUniform',
  'LeCunNormal',
  'Orthogonal',
]);

/** Edits `model` (a topology's `{ class_name, config }`) in place. */
export function seedInitializers(model: Json, seed: number): void {
  let layer = 0;
  forEachLayer(model, (entry) => {
    const position = layer++;
    let initializer = 0;
    const visit = (config: Json): void => {
      for (const [key, value] of Object.entries(config)) {
        if (!isJsonObject(value) || key === 'layers') continue; // nested models' layers are visited in turn
        const className = value['class_name'];
        if (/(_i|I)nitializer$/.test(key) && typeof className === 'string') {
          if (RANDOM_INITIALIZERS.has(className)) {
            const own = isJsonObject(value['config']) ? value['config'] : {};
            value['config'] = { ...own, seed: deriveSeed(seed, position, initializer++) };
          }
        } else {
          visit(value);
        }
      }
    };
    if (isJsonObject(entry['config'])) visit(entry['config']);
  });
}
