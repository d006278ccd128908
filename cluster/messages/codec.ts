import type { z } from 'zod';

/** JSON bytes of a message, for NATS. */
export function encodeMessage(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * Parses a message and validates it against its schema; throws an Error whose message says what is
 * wrong (`<what>: <field path>: <problem>`), so that a malformed message is refused with a reason and
 * never takes a process down.
 */
export function decodeMessage<S extends z.ZodType>(schema: S, bytes: Uint8Array, what: string): z.output<S> {
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
  return parsed.data;
}
