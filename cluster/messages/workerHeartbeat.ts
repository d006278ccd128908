import { z } from 'zod';

/**
 * What a worker writes to the workers KV bucket every few seconds (its key expires unless renewed),
 * and what `chorus workers` lists.
 */
export const workerHeartbeatSchema = z.object({
  workerId: z.string().min(1).max(200),
  host: z.string().max(255),
  slots: z.number().int().nonnegative(),
  busy: z.number().int().nonnegative(),
  backend: z.string().max(100),
  /** How its slots are kept apart (`--isolation`); absent from workers older than this field. */
  isolation: z.enum(['thread', 'process']).optional(),
  /** The GPUs its pool processes are placed on (`--gpus`), one entry per slot; absent when none. */
  gpus: z.array(z.number().int().nonnegative()).max(1024).optional(),
  /** When it was written, ms since the Unix epoch. */
  lastSeen: z.number(),
  /**
   * The task dispatches running here now, with when each started: how the coordinator tells running
   * tasks from queued ones, and which ran last (preemption asks the most recently started to yield).
   */
  tasks: z
    .array(
      z.object({
        jobId: z.string(),
        taskId: z.string(),
        dispatchId: z.string(),
        startedAt: z.number().optional(),
      }),
    )
    .max(1024)
    .default([]),
  /** Stopping: it takes no more tasks, so its slots are not the coordinator's to fill. */
  draining: z.boolean().optional(),
});

export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;
