import { ChorusError } from '../core/errors.ts';

// Failures of the cluster layer: NATS, the coordinator connection, and what the coordinator serves.

/**
 * A NATS stream, consumer or bucket that exists with settings Chorus cannot use and cannot change
 * in place (e.g. retention or storage type), or a setting the server refuses. `resource` names it.
 */
export class NatsResourceError extends ChorusError {
  readonly resource: string;

  constructor(resource: string, problem: string, options?: { cause?: unknown }) {
    super(`NATS ${resource}: ${problem}`, options);
    this.resource = resource;
  }
}

/** A job (or another named thing the coordinator keeps) that does not exist; gRPC NOT_FOUND. */
export class NotFoundError extends ChorusError {}

/** Asked of a job for what only a done job has (its files to fetch); gRPC FAILED_PRECONDITION. */
export class JobNotDoneError extends ChorusError {}

/** The coordinator does not answer at `address` (refused, unknown host, down); the cause says why. */
export class CoordinatorUnreachableError extends ChorusError {
  readonly address: string;

  constructor(address: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot reach the coordinator at ${address}: ${reason}`, options);
    this.address = address;
  }
}

/**
 * A chorus process cannot connect to NATS: refused, unknown host, bad credentials, an untrusted or
 * missing certificate. `servers` are shown without credentials; the reason never quotes a secret.
 */
export class NatsConnectError extends ChorusError {
  readonly servers: string;

  constructor(servers: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot connect to NATS at ${servers}: ${reason}`, options);
    this.servers = servers;
  }
}

/**
 * The coordinator is up but cannot reach NATS (down, restarting, JetStream not answering), so it cannot
 * answer from job state now; it reconnects on its own. gRPC UNAVAILABLE: clients retry, never read it
 * as "no such job".
 */
export class NatsUnavailableError extends ChorusError {}

/**
 * A chorus process's start-up check found that its credentials cannot do part of its work (a NATS
 * login without a right it needs, a gRPC token of the wrong role): it stops before saying ready.
 */
export class StartupCheckError extends ChorusError {}

/**
 * A coordinator that does not hold the leadership lease (a standby, or one that has just lost it)
 * refuses every call: gRPC UNAVAILABLE, naming the leader when it knows it, so clients given several
 * addresses try the next one (cluster/client/leaderFollowing.ts).
 */
export class NotLeaderError extends ChorusError {
  /** The leader's advertised HOST:PORT, when known. */
  readonly leader: string | undefined;

  constructor(leader: string | undefined, options?: { cause?: unknown }) {
    super(
      leader
        ? `this coordinator is a standby; the leader is at ${leader}`
        : 'this coordinator is a standby and no leader is known yet; retry shortly',
      options,
    );
    this.leader = leader;
  }
}
