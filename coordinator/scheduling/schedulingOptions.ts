/** How the coordinator shares the workers between jobs (docs/distributed.md, "Sharing the cluster"). */
export interface SchedulingOptions {
  /** Ask running lower-priority tasks to yield to waiting higher-priority ones (`--preempt`). */
  preempt: boolean;
  /** A job waiting this long unserved competes one priority class higher (`--aging-seconds`; 0: never). */
  agingSeconds: number;
}
