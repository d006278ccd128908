import { CoordinatorUnreachableError, NotLeaderError } from '../errors.ts';

/** What a connection to one coordinator has that following needs. */
interface OneConnection {
  readonly address: string;
  close(): void;
}

/** The coordinator addresses of a `--coordinator` value: one HOST:PORT, or several separated by commas. */
export function coordinatorAddresses(value: string): string[] {
  return value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

/** How long one call keeps looking for the leader: a standby takes over within about 10 s. */
const FOLLOW_FOR_MS = 20_000;
const PAUSE_MS = 250;

/** A failure that says "try another coordinator": a standby's refusal, or nobody answering at this address. */
function isElsewhere(err: unknown): err is NotLeaderError | CoordinatorUnreachableError {
  return err instanceof NotLeaderError || err instanceof CoordinatorUnreachableError;
}

/**
 * Connections to several coordinators, one leading and the others standing by, used as one: each
 * call goes to the coordinator that answered last; a standby's NotLeaderError sends it to the leader
 * it names (when that is one of the addresses), an unreachable one to the next address, until one
 * answers or FOLLOW_FOR_MS pass. A stream is retried only before its first item: after that, its
 * failure is the caller's (`chorus submit --wait` watches again, and so reaches the new leader).
 */
export function followLeader<C extends OneConnection>(
  addresses: readonly string[],
  connectOne: (address: string) => C,
  streams: readonly string[],
): C {
  const connections = addresses.map(connectOne);
  const first = connections[0];
  if (!first) throw new CoordinatorUnreachableError('(none)', 'no coordinator address given');
  let current = 0;
  const at = (i: number): C => connections[i] ?? first;

  /** Moves to where `err` points; false once every address has been tried this round. */
  const move = (err: NotLeaderError | CoordinatorUnreachableError): void => {
    const named = err instanceof NotLeaderError && err.leader ? addresses.indexOf(err.leader) : -1;
    current = named >= 0 && named !== current ? named : (current + 1) % connections.length;
  };

  async function follow<T>(call: (c: C) => Promise<T>): Promise<T> {
    const deadline = Date.now() + FOLLOW_FOR_MS;
    for (let tries = 1; ; tries++) {
      try {
        return await call(at(current));
      } catch (err) {
        if (!isElsewhere(err) || Date.now() > deadline) throw err;
        move(err);
        // A whole round without an answer: a takeover is under way; wait a little before the next.
        if (tries % connections.length === 0) await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }
  }

  async function* followStream<T>(open: (c: C) => AsyncIterable<T>): AsyncGenerator<T> {
    const deadline = Date.now() + FOLLOW_FOR_MS;
    for (let tries = 1; ; tries++) {
      let yielded = false;
      try {
        for await (const item of open(at(current))) {
          yielded = true;
          yield item;
        }
        return;
      } catch (err) {
        if (yielded || !isElsewhere(err) || Date.now() > deadline) throw err;
        move(err);
        if (tries % connections.length === 0) await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }
  }

  return new Proxy(first, {
    get(_target, property) {
      if (property === 'close') return () => connections.forEach((c) => c.close());
      const here = at(current);
      const value: unknown = Reflect.get(here, property, here);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      if (streams.includes(property)) {
        return (...args: unknown[]) =>
          followStream((c) =>
            (Reflect.get(c, property, c) as (...a: unknown[]) => AsyncIterable<unknown>).apply(c, args),
          );
      }
      return (...args: unknown[]) =>
        follow((c) => (Reflect.get(c, property, c) as (...a: unknown[]) => Promise<unknown>).apply(c, args));
    },
  });
}
