import type { StateStore } from '../stateStore.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import { retryTransient, type RetryOptions } from './retryTransient.ts';

/**
 * The scheduler's view of a job's KV state, with writes and reads retried while NATS is briefly
 * unavailable: a failed write would otherwise fail the whole job (the scheduler treats store errors
 * as fatal). The KV store's compare-and-set makes a repeated write harmless.
 */
export class RetryingStateStore implements StateStore {
  constructor(
    private readonly store: StateStore,
    private readonly options: RetryOptions,
  ) {}

  loadTasks(): Promise<TaskRecord[]> {
    return retryTransient('loading task state', () => this.store.loadTasks(), this.options);
  }

  putTask(record: TaskRecord): Promise<void> {
    return retryTransient(`saving the state of ${record.id}`, () => this.store.putTask(record), this.options);
  }
}
