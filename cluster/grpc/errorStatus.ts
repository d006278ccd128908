import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import {
  ArtifactNotFoundError,
  ChorusError,
  JobSpecError,
  NonRetryableError,
  type SpecIssue,
} from '../../core/errors.ts';
import {
  CoordinatorUnreachableError,
  JobNotDoneError,
  NatsUnavailableError,
  NotFoundError,
  NotLeaderError,
} from '../errors.ts';
import { isNatsUnavailable } from '../nats/natsFailure.ts';

/**
 * Errors ↔ gRPC statuses, both directions in one place. Bad input (JobSpecError, any NonRetryableError)
 * is INVALID_ARGUMENT, unknown jobs NOT_FOUND, a job not done for what needs one FAILED_PRECONDITION,
 * a coordinator that has lost NATS UNAVAILABLE (clients retry), the rest INTERNAL. A JobSpecError's issues also travel
 * in trailing metadata, so the client rebuilds the same error (and prints the same list) as `chorus run`.
 */

/** The error class name on the server, for messages and logs. */
const ERROR_NAME_KEY = 'chorus-error-name';
/** JSON `{ issues, source }` of a JobSpecError; binary so that any text survives the HTTP/2 header. */
const SPEC_ISSUES_KEY = 'chorus-spec-issues-bin';
/** A standby's answer: the leader's HOST:PORT, when it knows it (empty otherwise). */
const LEADER_KEY = 'chorus-leader';

/** What a client is told while the coordinator cannot reach NATS. */
export const NATS_UNAVAILABLE = 'the coordinator has lost its NATS connection; retrying';

export type GrpcStatus = Pick<StatusObject, 'code' | 'details'> & { metadata?: Metadata };

/** The status a server sends for an error thrown by a handler. */
export function errorToStatus(err: unknown): GrpcStatus {
  const metadata = new Metadata();
  if (err instanceof NatsUnavailableError || isNatsUnavailable(err)) {
    metadata.set(ERROR_NAME_KEY, 'NatsUnavailableError');
    const reason =
      err instanceof NatsUnavailableError ? '' : ` (${err instanceof Error ? err.message : String(err)})`;
    return { code: status.UNAVAILABLE, details: `${NATS_UNAVAILABLE}${reason}`, metadata };
  }
  if (err instanceof NotLeaderError) {
    metadata.set(ERROR_NAME_KEY, 'NotLeaderError');
    metadata.set(LEADER_KEY, err.leader ?? '');
    return { code: status.UNAVAILABLE, details: err.message, metadata };
  }
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  metadata.set(ERROR_NAME_KEY, name.replace(/[^\x20-\x7e]/g, '?'));
  if (err instanceof JobSpecError) {
    metadata.set(SPEC_ISSUES_KEY, Buffer.from(JSON.stringify({ issues: err.issues, source: err.source })));
  }
  if (err instanceof NonRetryableError) return { code: status.INVALID_ARGUMENT, details: message, metadata };
  if (err instanceof NotFoundError || err instanceof ArtifactNotFoundError) {
    return { code: status.NOT_FOUND, details: message, metadata };
  }
  if (err instanceof JobNotDoneError) return { code: status.FAILED_PRECONDITION, details: message, metadata };
  return { code: status.INTERNAL, details: `${name}: ${message}`, metadata };
}

export function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceError>).code === 'number' &&
    (err as Partial<ServiceError>).metadata instanceof Metadata
  );
}

function specErrorFrom(metadata: Metadata): JobSpecError | undefined {
  const raw = metadata.get(SPEC_ISSUES_KEY)[0];
  if (!Buffer.isBuffer(raw)) return undefined;
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as { issues?: SpecIssue[]; source?: string };
    if (!Array.isArray(parsed.issues)) return undefined;
    return new JobSpecError(parsed.issues, parsed.source ?? undefined);
  } catch {
    return undefined;
  }
}

export interface CallContext {
  /** HOST:PORT, for messages. */
  address: string;
  /** Whether the channel had a connection when the call failed (tells a slow coordinator from an absent one). */
  connected: boolean;
}

/** The error a client throws for a failed call: a Chorus error class with a message a user can act on. */
export function statusToError(err: unknown, context: CallContext): Error {
  if (!isServiceError(err)) return err instanceof Error ? err : new ChorusError(String(err));
  const { address } = context;
  const details = err.details || status[err.code] || 'unknown error';
  switch (err.code) {
    case status.UNAVAILABLE:
      if (err.metadata.get(ERROR_NAME_KEY)[0] === 'NotLeaderError') {
        const leader = err.metadata.get(LEADER_KEY)[0];
        return new NotLeaderError(typeof leader === 'string' && leader !== '' ? leader : undefined, {
          cause: err,
        });
      }
      if (err.metadata.get(ERROR_NAME_KEY)[0] === 'NatsUnavailableError') {
        return new NatsUnavailableError(`${details} (coordinator ${address})`, { cause: err });
      }
      // grpc-js appends an empty "Resolution note:" to connection failures.
      return new CoordinatorUnreachableError(address, details.replace(/\.?\s*Resolution note:\s*$/, ''), {
        cause: err,
      });
    case status.DEADLINE_EXCEEDED:
      if (!context.connected)
        return new CoordinatorUnreachableError(address, `no connection (${details})`, { cause: err });
      return new ChorusError(`the coordinator at ${address} did not answer in time (${details})`, {
        cause: err,
      });
    case status.INVALID_ARGUMENT:
      return specErrorFrom(err.metadata) ?? new NonRetryableError(details, { cause: err });
    case status.NOT_FOUND:
      return new NotFoundError(details, { cause: err });
    case status.FAILED_PRECONDITION:
      return new JobNotDoneError(details, { cause: err });
    default:
      return new ChorusError(
        `the coordinator at ${address} failed the call: ${details} (${status[err.code] ?? err.code})`,
        {
          cause: err,
        },
      );
  }
}
