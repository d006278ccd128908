// Piscina loads this file in each worker thread. The pool passes the compiled thread entry when it has
// one (worker/compiledThreadEntry.ts): plain CommonJS, required as is. Otherwise the TypeScript entry
// runs through tsx: worker threads do not inherit a loader that the main thread registered through
// tsx's API, so tsx is registered here first.
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';

const compiled = workerData?.compiledEntry;
let entry;
if (typeof compiled === 'string') {
  entry = createRequire(import.meta.url)(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import('./poolThread.ts');
}
export default entry.default;
