import type { TaskRecord } from '../../core/tasks/taskRecord.ts';

/** A task record in KV: the scheduler's record plus the id of the task's current dispatch. */
export interface KvTaskRecord extends TaskRecord {
  /** Set by the NATS executor at each dispatch; a worker or result with another id is superseded. */
  dispatchId?: string;
  /**
   * JetStream deliveries of the current dispatch, as its last result said: a task redelivered after
   * a worker died shows 2 here while the scheduler still counts one attempt.
   */
  deliveries?: number;
  /**
   * Attempts the task used before its current dispatch (a dispatch follows a yield without using one):
   * sent with the dispatch, so a worker counts its attempt from there.
   */
  priorAttempts?: number;
}
