import { ChorusError } from '../../core/errors.ts';

/** Timing of the coordinators' leadership lease (docs/operations.md, "Standby coordinators"). */
export interface LeaseOptions {
  /**
   * How long a lease lasts after its last renewal: a standby takes over this long after it last saw
   * the lease change, and a leader that could not renew within it stops writing.
   */
  leaseMs: number;
  /** How often the leader renews (a third of the lease: two renewals may fail before it lapses). */
  renewMs: number;
  /** How often a standby reads the lease. */
  pollMs: number;
  /**
   * The leader stops writing this long before its lease could lapse as a standby counts it: room for
   * the renewal's own trip to the server and for clocks that tick at slightly different rates.
   */
  marginMs: number;
}

/** Takeover within lease + poll + resuming jobs: about 8 s after a leader dies, inside the 10 s target. */
export const DEFAULT_LEASE_SECONDS = 6;

/** The options for a lease of `leaseSeconds`; the rest follow from it. */
export function leaseOptions(leaseSeconds = DEFAULT_LEASE_SECONDS): LeaseOptions {
  if (!Number.isFinite(leaseSeconds) || leaseSeconds < 2 || leaseSeconds > 300) {
    throw new ChorusError(`lease seconds: expected a number from 2 to 300, got ${String(leaseSeconds)}`);
  }
  const leaseMs = Math.round(leaseSeconds * 1000);
  return {
    leaseMs,
    renewMs: Math.round(leaseMs / 3),
    pollMs: Math.min(1000, Math.round(leaseMs / 4)),
    marginMs: Math.min(1000, Math.round(leaseMs / 6)),
  };
}
