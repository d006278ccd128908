import { z } from 'zod';

/** A progress report from a running task, sent often (per batch); all fields optional. */
export const taskProgressSchema = z.object({
  epoch: z.number().optional(),
  epochs: z.number().optional(),
  batch: z.number().optional(),
  batches: z.number().optional(),
  loss: z.number().optional(),
  samplesPerSecond: z.number().optional(),
  message: z.string().optional(),
});

export type TaskProgress = z.infer<typeof taskProgressSchema>;
