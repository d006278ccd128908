import type { TaskRecord } from '../core/tasks/taskRecord.ts';

/**
 * Durable task state of one job. Implementations: a JSON file (embedded mode), NATS KV (distributed).
 * The scheduler writes a record at every transition, so a restart resumes from the last one.
 */
export interface StateStore {
  loadTasks(): Promise<TaskRecord[]>;
  putTask(record: TaskRecord): Promise<void>;
}
