/**
 * The worker's public entry for the coordinator: the embedded mode reaches the thread pool only
 * through what this file exports (the linter holds the coordinator to it). The CLI, the composition
 * root, may also start a distributed worker (`distributed/natsWorker.ts`) and its metrics.
 */
export { LocalPoolExecutor, type LocalPoolOptions } from './localPoolExecutor.ts';
export type { ArtifactLocation, ThreadMessage } from './poolMessages.ts';
