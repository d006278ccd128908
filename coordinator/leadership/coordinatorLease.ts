import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import { LeaseLostError } from './leaseLostError.ts';
import type { LeaseOptions } from './leaseOptions.ts';
import { leaseRecordSchema, type LeaseRecord } from './leaseRecord.ts';

export interface LeaseIdentity {
  /** Unique per process. */
  holder: string;
  /** gRPC HOST:PORT clients reach this coordinator at. */
  address: string;
}

/** A monotonic clock in milliseconds (tests pass their own). */
export type Clock = () => number;

function isConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

function parse(entry: KvEntry | null): LeaseRecord | undefined {
  if (!entry || entry.operation !== 'PUT') return undefined;
  const parsed = leaseRecordSchema.safeParse(entry.json());
  return parsed.success ? parsed.data : undefined;
}

/**
 * The coordinators' leadership lease: one key in the state bucket, written only by compare-and-set.
 * A standby takes the lease once it has seen the same revision for a whole lease (its holder stopped
 * renewing) or the key deleted (its holder let go); the leader renews it every `renewMs`. The token
 * is the revision of the write that took the lease, so a later holder always has a larger one.
 *
 * The leader counts its lease from the moment it *sent* its last successful renewal, a standby from
 * the moment it *saw* a revision: the standby's count starts later, so the leader's ends first (less
 * `marginMs`), whatever the network delays, as long as both clocks tick at about the same rate. A
 * paused leader's monotonic clock jumps on resume, so `assertHeld` refuses at once.
 */
export class CoordinatorLease {
  private readonly kv: KV;
  private readonly key: string;
  private readonly self: LeaseIdentity;
  private readonly o: LeaseOptions;
  private readonly now: Clock;
  private revision = 0;
  private validUntil = 0;
  /** The fencing token of the current term; 0 when not leading. */
  token = 0;
  /** The last leader a read of the lease named, or this process while it holds it. */
  private lastLeader: string | undefined;

  /** Where the leader is, for standbys' redirects: never this process once its lease has lapsed. */
  get leader(): string | undefined {
    return this.lastLeader === this.self.address && !this.held() ? undefined : this.lastLeader;
  }

  constructor(
    kv: KV,
    key: string,
    self: LeaseIdentity,
    options: LeaseOptions,
    now: Clock = performance.now.bind(performance),
  ) {
    this.kv = kv;
    this.key = key;
    this.self = self;
    this.o = options;
    this.now = now;
  }

  /** Leading, with time left on the lease. */
  held(): boolean {
    return this.token > 0 && this.now() < this.validUntil;
  }

  /** Throws LeaseLostError unless held: called before every state write. */
  assertHeld(what: string): void {
    if (!this.held()) throw new LeaseLostError(what);
  }

  private record(): string {
    const value: LeaseRecord = {
      holder: this.self.holder,
      address: this.self.address,
      token: this.token,
      renewedAt: Date.now(),
    };
    return JSON.stringify(value);
  }

  /** A write of the lease succeeded: `token` is the term's (the revision that took it). */
  private won(revision: number, sentAt: number, token: number): void {
    this.revision = revision;
    this.token = token;
    this.validUntil = sentAt + this.o.leaseMs - this.o.marginMs;
    this.lastLeader = this.self.address;
  }

  /**
   * One look at the lease, taking it if it is free, deleted, lapsed or this process's own (a holder
   * that stepped down writes nothing more). Returns the token when taken, 0 otherwise.
   */
  async tryAcquire(seen: { revision: number; since: number } | undefined): Promise<{
    token: number;
    seen: { revision: number; since: number } | undefined;
  }> {
    const entry = await this.kv.get(this.key);
    const current = parse(entry);
    this.lastLeader = current?.address;
    const revision = entry?.revision ?? 0;
    const lapsed =
      seen !== undefined && seen.revision === revision && this.now() - seen.since >= this.o.leaseMs;
    const free = current === undefined || current.holder === this.self.holder || lapsed;
    if (!free) {
      return { token: 0, seen: seen?.revision === revision ? seen : { revision, since: this.now() } };
    }
    const sentAt = this.now();
    this.token = 0;
    try {
      // The token is the revision of this write; the record says so from the first renewal on.
      const taken =
        entry === null
          ? await this.kv.create(this.key, this.record())
          : await this.kv.update(this.key, this.record(), revision);
      this.won(taken, sentAt, taken);
      return { token: this.token, seen: undefined };
    } catch (err) {
      if (isConflict(err) || (err instanceof Error && /wrong last sequence|key exists/i.test(err.message))) {
        return { token: 0, seen: undefined };
      }
      throw err;
    }
  }

  /** Waits until this process holds the lease; returns its token. Rejects when `signal` aborts. */
  async acquire(signal: AbortSignal, log: (line: string) => void): Promise<number> {
    let seen: { revision: number; since: number } | undefined;
    let lastError = '';
    for (;;) {
      signal.throwIfAborted();
      try {
        const attempt = await this.tryAcquire(seen);
        if (attempt.token > 0) return attempt.token;
        seen = attempt.seen;
        lastError = '';
      } catch (err) {
        // NATS down or electing: keep trying; a standby has nothing else to do.
        if (String(err) !== lastError) log(`leadership lease: ${String(err)}; retrying`);
        lastError = String(err);
        seen = undefined;
      }
      await sleep(this.o.pollMs, signal);
    }
  }

  /**
   * Renews the lease until it is lost (another holder took it) or `signal` aborts. A lease that
   * lapsed (renewals failed for a whole lease while NATS was away, or the process was paused) is not
   * given up at once: writes are refused meanwhile, and a renewal that still finds this holder's
   * revision proves nobody took it, so the term goes on (`onLapse`, `onRegain` say when). Resolves
   * with why it stopped.
   */
  async hold(
    signal: AbortSignal,
    log: (line: string) => void,
    on: { onLapse?: () => void; onRegain?: () => void } = {},
  ): Promise<'lost' | 'stopped'> {
    const term = this.token;
    let lapsed = false;
    while (!signal.aborted) {
      await sleep(this.o.renewMs, signal).catch(() => undefined);
      if (signal.aborted) break;
      if (!lapsed && !this.held()) {
        lapsed = true;
        log('leadership lease: lapsed before it could be renewed; writes are refused until it is');
        on.onLapse?.();
      }
      const sentAt = this.now();
      try {
        this.won(await this.kv.update(this.key, this.record(), this.revision), sentAt, term);
        if (lapsed) {
          lapsed = false;
          log('leadership lease: renewed; nobody took it meanwhile');
          on.onRegain?.();
        }
      } catch (err) {
        if (isConflict(err)) {
          log('leadership lease: taken by another coordinator; stepping down');
          return this.lose();
        }
        if (!lapsed) log(`leadership lease: renewal failed (${String(err)}); retrying while it lasts`);
      }
    }
    return 'stopped';
  }

  private lose(): 'lost' {
    this.token = 0;
    this.validUntil = 0;
    // Not this process any more; who it is, the next read of the lease says.
    this.lastLeader = undefined;
    return 'lost';
  }

  /** Gives the lease up (on shutdown) so that a standby takes over at once. Best effort. */
  async release(): Promise<void> {
    if (this.token === 0) return;
    const revision = this.revision;
    this.lose();
    await this.kv.delete(this.key, { previousSeq: revision }).catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
