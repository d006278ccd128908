import { MAX_PRIORITY_RANK } from '../../core/spec/priority.ts';

/**
 * Which job's task the coordinator puts on the work queue next, as pure functions of the jobs' state
 * (docs/distributed.md, "Sharing the cluster"): the highest priority class first, a class raised one
 * step for every `agingMs` a job has waited without being served (so low priority still progresses);
 * within a class, the job holding the fewest slots (fair share); then the job served longest ago.
 * A job whose client is at its quota is passed over.
 */

/** One job as the dispatcher sees it. */
export interface JobQueueState {
  jobId: string;
  /** Its priority class as a rank: low 0, normal 1, high 2. */
  rank: number;
  /** Ready tasks waiting for a slot. */
  waiting: number;
  /** Slots it holds: tasks dispatched to the work queue and not finished. */
  held: number;
  /** The client token that submitted it; undefined without authentication (no quota). */
  client?: string;
  /** Since when it has waited unserved: its last grant, or when it began to wait. */
  starvedSince: number;
  /** Its last grant (0: never), to take turns between otherwise equal jobs. */
  lastGrantAt: number;
  submittedAt: number;
}

/** The rank a job competes with now: its class, one step higher per `agingMs` unserved, at most high. */
export function effectiveRank(job: JobQueueState, now: number, agingMs: number): number {
  const aged = agingMs > 0 ? Math.floor(Math.max(0, now - job.starvedSince) / agingMs) : 0;
  return Math.min(MAX_PRIORITY_RANK, Math.max(job.rank, job.rank + aged));
}

/** The order of service: negative when `a` goes before `b`. */
export function compareJobs(a: JobQueueState, b: JobQueueState, now: number, agingMs: number): number {
  return (
    effectiveRank(b, now, agingMs) - effectiveRank(a, now, agingMs) ||
    a.held - b.held ||
    a.lastGrantAt - b.lastGrantAt ||
    a.submittedAt - b.submittedAt ||
    (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0)
  );
}

/** Slots a client holds now, over all its jobs. */
export function heldByClient(jobs: Iterable<JobQueueState>): Map<string, number> {
  const out = new Map<string, number>();
  for (const j of jobs) if (j.client !== undefined) out.set(j.client, (out.get(j.client) ?? 0) + j.held);
  return out;
}

/**
 * The job to serve next, or undefined when no job waits or every waiting job's client is at its
 * quota (`quotaOf`: the client's most slots, undefined for none).
 */
export function nextJob(
  jobs: readonly JobQueueState[],
  quotaOf: (client: string) => number | undefined,
  now: number,
  agingMs: number,
): JobQueueState | undefined {
  const byClient = heldByClient(jobs);
  let best: JobQueueState | undefined;
  for (const job of jobs) {
    if (job.waiting === 0) continue;
    if (job.client !== undefined) {
      const quota = quotaOf(job.client);
      if (quota !== undefined && (byClient.get(job.client) ?? 0) >= quota) continue;
    }
    if (!best || compareJobs(job, best, now, agingMs) < 0) best = job;
  }
  return best;
}

/**
 * How many tasks may be on the work queue or running at once: the connected slots plus a margin
 * (a tenth, at least one), so a worker that finishes finds its next task waiting instead of waiting
 * for the coordinator, while what is queued is never much ahead of what runs.
 */
export function windowSize(slots: number): number {
  return slots + Math.max(1, Math.ceil(slots / 10));
}
