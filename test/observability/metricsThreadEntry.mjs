// Piscina loads this in each thread; threads do not inherit tsx from the main thread (see worker/poolThreadEntry.mjs).
import { register } from 'tsx/esm/api';

register();
const entry = await import('./metricsThread.ts');
export default entry.default;
