import type { BackendInfo } from './backendInfo.ts';

// Per thread: every worker thread has its own module instance and tfjs engine.
let current: BackendInfo | undefined;

/** The backend the last successful `selectBackend` call chose in this thread, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/** Records the chosen backend; only `selectBackend` calls this. */
export function recordBackend(info: BackendInfo): BackendInfo {
  current = info;
  return info;
}
