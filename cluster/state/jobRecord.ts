import type { Priority } from '../../core/spec/priority.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** A submitted job as kept in KV (`job.<jobId>`): what the coordinator needs to resume and report it. */
export interface JobRecord {
  id: string;
  /** The job's own name (from its file). */
  name: string;
  status: JobStatus;
  /** Epoch milliseconds. */
  submittedAt: number;
  finishedAt?: number;
  /** Why it failed or was cancelled, `name: message` (a failed task: `task <id> failed: <reason>`). */
  error?: string;
  /** A job failed by one of its tasks: that task and why, as its final event says. */
  failedTask?: { taskId: string; reason: string };
  /** The job file as submitted (YAML or JSON text). */
  jobText: string;
  /** The validated job with defaults filled, as the planner consumes it. */
  job: ResolvedJob;
  /** Its class on the cluster, as submitted (`--priority`, else `runtime.priority`); absent: normal. */
  priority?: Priority;
  /** The name of the client token that submitted it; absent without authentication. */
  client?: string;
  /** That client's quota when it submitted (its token may leave the tokens file while the job runs). */
  maxSlots?: number;
}
