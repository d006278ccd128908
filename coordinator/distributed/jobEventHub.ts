import type { JobEvent } from '../../cluster/api/apiTypes.ts';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';

type Listener = (event: JobEvent) => void;

/** Fans each job's events out to its watchers (gRPC WatchJob streams, metrics). */
export class JobEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly anyListeners = new Set<Listener>();

  publish(jobId: string, event: SchedulerEvent): void {
    const stamped: JobEvent = { jobId, time: Date.now(), event };
    for (const l of this.listeners.get(jobId) ?? []) l(stamped);
    for (const l of this.anyListeners) l(stamped);
  }

  /** Returns the unsubscribe function. */
  subscribe(jobId: string, listener: Listener): () => void {
    let set = this.listeners.get(jobId);
    if (!set) {
      set = new Set();
      this.listeners.set(jobId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(jobId);
    };
  }

  subscribeAll(listener: Listener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }
}
