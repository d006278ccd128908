import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { CoordinatorLease } from './coordinatorLease.ts';
import { fencedResources } from './fencedResources.ts';
import { LeaderGate } from './leaderGate.ts';
import { Leadership, type Term } from './leadership.ts';
import { leaseOptions } from './leaseOptions.ts';

export interface StartLeadershipOptions {
  resources: NatsResources;
  log: (line: string) => void;
  leaseSeconds?: number;
  /** Whether the coordinator's NATS connection is up (calls then say NATS is away, not that no leader is known). */
  natsConnected?: () => boolean;
  /** Starts a term: `fenced` are the NATS handles whose writes the lease checks. */
  startTerm(fenced: NatsResources): Promise<Term>;
}

export interface LeadershipHandle {
  /** The gRPC handlers, leader or standby. */
  readonly gate: LeaderGate;
  /** Starts waiting for the lease, as `advertise` (the address standbys name in redirects). */
  start(advertise: string, onChange: (leading: boolean) => void): void;
  isLeading(): boolean;
  /** Stops the term (within `budgetMs`) or the wait, and gives the lease up. */
  stop(budgetMs: number): Promise<void>;
}

/**
 * Wires a coordinator for leader election: the lease in the state bucket, the gate in front of the
 * gRPC handlers, and the terms, each running a CoordinatorService over fenced NATS handles.
 */
export function startLeadership(o: StartLeadershipOptions): LeadershipHandle {
  const options = leaseOptions(o.leaseSeconds);
  let lease: CoordinatorLease | undefined;
  let leadership: Leadership | undefined;
  const gate = new LeaderGate(
    () => lease?.leader,
    () => lease?.held() ?? false,
    o.natsConnected,
  );
  return {
    gate,
    start(advertise, onChange) {
      const holder = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
      const current = new CoordinatorLease(
        o.resources.state,
        o.resources.names.leaderKey,
        { holder, address: advertise },
        options,
      );
      lease = current;
      leadership = new Leadership({
        lease: current,
        gate,
        startTerm: () => o.startTerm(fencedResources(o.resources, (what) => current.assertHeld(what))),
        onChange,
        stopBudgetMs: 10_000,
        log: o.log,
      });
      leadership.start();
    },
    isLeading: () => leadership?.isLeading() ?? false,
    async stop(budgetMs) {
      await leadership?.stop(budgetMs);
    },
  };
}
