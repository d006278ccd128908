import { z } from 'zod';

/** The leadership lease as stored under `leader` in the state bucket. */
export const leaseRecordSchema = z.object({
  /** Unique per coordinator process: host, process id and a random suffix. */
  holder: z.string().min(1),
  /** The leader's gRPC address as clients reach it (`--advertise`), for standbys' redirects. */
  address: z.string(),
  /** The fencing token: the KV revision at which this holder took the lease; it only grows. */
  token: z.number().int().nonnegative(),
  /** Epoch milliseconds of the last renewal: for people reading the key, not for deciding. */
  renewedAt: z.number(),
});

export type LeaseRecord = z.infer<typeof leaseRecordSchema>;
