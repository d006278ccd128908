/**
 * What `@tensorflow/tfjs` means inside Chorus' compiled pool-thread entry (worker/compiledThreadEntry.ts):
 * the umbrella package without the parts Chorus never uses (the graph-model converter, tfjs-data, the
 * WebGL backend, and the cpu backend, which selectBackend.ts loads when it is asked for). The same
 * modules as the umbrella otherwise, so the same kernels, gradients and numbers.
 *
 * The umbrella also registers every gradient and the chained ops (`tensor.square()`), which the Node
 * build of tfjs-core leaves out: the two side-effect imports below do that, from tfjs-core's own ES
 * modules, which only a bundler can load (Node reads those `.js` files as CommonJS). So this file is for
 * the compiled bundle only; code run through tsx imports `@tensorflow/tfjs` itself.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { packageVersion } from './packageVersion.ts';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';

/** The umbrella's `version`, read from the installed packages. */
export const version = {
  'tfjs-core': packageVersion('@tensorflow/tfjs-core'),
  'tfjs-backend-cpu': packageVersion('@tensorflow/tfjs-backend-cpu'),
  'tfjs-backend-webgl': packageVersion('@tensorflow/tfjs-backend-webgl'),
  'tfjs-data': packageVersion('@tensorflow/tfjs-data'),
  'tfjs-layers': packageVersion('@tensorflow/tfjs-layers'),
  'tfjs-converter': packageVersion('@tensorflow/tfjs-converter'),
  tfjs: packageVersion('@tensorflow/tfjs'),
};
