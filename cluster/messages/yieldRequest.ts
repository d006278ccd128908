import { z } from 'zod';

const id = z.string().min(1).max(200);

/**
 * The coordinator asks the worker that runs a dispatch to give its slot back (preemption), on the
 * job's yield subject (core NATS: a worker that misses it simply runs on). The worker checkpoints what
 * it can and reports a `yielded` result; the coordinator requeues the task.
 */
export const yieldRequestSchema = z.object({
  jobId: id,
  taskId: id,
  dispatchId: id,
  /** Why, for the worker's log: e.g. `a high-priority task waits`. */
  reason: z.string().max(200),
});

export type YieldRequest = z.infer<typeof yieldRequestSchema>;
