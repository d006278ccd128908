// Piscina loads this file in each worker thread. Worker threads do not inherit a loader that the
// main thread registered through tsx's API, so register tsx here before importing the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
const entry = await import('./poolThread.ts');
export default entry.default;
