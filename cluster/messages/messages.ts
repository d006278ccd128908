import { z } from 'zod';
import type { PoolTask } from '../../core/tasks/task.ts';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';

/**
 * Messages on the task and result streams, validated where they are received: a malformed message
 * is refused with a clear reason and never takes a process down.
 */

const id = z.string().min(1).max(200);

const poolTask = z.discriminatedUnion('type', [
  z.object({ type: z.literal('train'), id, deps: z.array(z.string()), member: id }),
  z.object({ type: z.literal('predict'), id, deps: z.array(z.string()), member: id }),
  z.object({ type: z.literal('stack'), id, deps: z.array(z.string()) }),
  z.object({
    type: z.literal('soft-labels'),
    id,
    deps: z.array(z.string()),
    shard: z.number().int().nonnegative(),
    shards: z.number().int().positive(),
  }),
  z.object({ type: z.literal('distill'), id, deps: z.array(z.string()), student: id }),
]);

export const taskMessage = z.object({
  jobId: id,
  taskId: id,
  /** Identifies this dispatch of the task; results and workers holding an older one are ignored. */
  dispatchId: id,
  task: poolTask,
});
export type TaskMessage = z.infer<typeof taskMessage> & { task: PoolTask };

const failure = z.object({ name: z.string(), message: z.string(), retryable: z.boolean() });

export const resultMessage = z.object({
  jobId: id,
  taskId: id,
  dispatchId: id,
  /** False for a failed attempt that JetStream will redeliver. */
  final: z.boolean(),
  /** Deliveries of the task message so far (1 on the first attempt). */
  deliveries: z.number().int().positive(),
  worker: z.string(),
  outcome: z.union([
    z.object({ ok: z.literal(true), result: z.record(z.string(), z.unknown()) }),
    z.object({ ok: z.literal(false), error: failure }),
  ]),
});
export type ResultMessage = Omit<z.infer<typeof resultMessage>, 'outcome'> & { outcome: TaskOutcome };

export function encodeMessage(value: TaskMessage | ResultMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Parses and validates; throws an Error whose message says what is wrong. */
export function decodeMessage<T>(schema: z.ZodType, bytes: Uint8Array, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error(`${what}: not JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `${what}: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`,
    );
  }
  return parsed.data as T;
}
