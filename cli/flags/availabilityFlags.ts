import { InvalidArgumentError, type Command } from 'commander';
import { REPLICA_CHOICES } from '../../cluster/nats/natsResourceOptions.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { DEFAULT_LEASE_SECONDS } from '../../coordinator/leadership/leaseOptions.ts';
import { ENV } from '../env.ts';
import { envOrUndefined, positiveIntOption } from '../options.ts';

/** The coordinator's high-availability flags (docs/operations.md). */
export interface AvailabilityFlags {
  /** Copies of every stream, KV bucket and the Object Store. */
  replicas?: number;
  /** Scale existing streams to `replicas` in place instead of refusing to start. */
  moveReplicas?: boolean;
  /** The leadership lease's length: a standby takes over this long after the leader dies. */
  leaseSeconds?: number;
  /** HOST[:PORT] clients reach this coordinator at (named by standbys in their redirects). */
  advertise?: string;
}

/** A host name or IP, optionally with `:PORT` (an IPv6 address with a port in brackets). */
function hostOrHostPortOption(value: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F:]+:[0-9a-fA-F:.]*|[^:\s[\]]+(:\d{1,5})?)$/.test(value)) {
    throw new InvalidArgumentError(`expected HOST or HOST:PORT, got "${value}"`);
  }
  return value;
}

function replicasOption(value: string): number {
  const n = Number(value);
  if (!REPLICA_CHOICES.includes(n)) {
    throw new InvalidArgumentError(`expected one of ${REPLICA_CHOICES.join(', ')}`);
  }
  return n;
}

function envReplicas(): number | undefined {
  const value = envOrUndefined('natsReplicas');
  if (value === undefined) return undefined;
  try {
    return replicasOption(value);
  } catch {
    throw new NonRetryableError(
      `${ENV.natsReplicas}: expected one of ${REPLICA_CHOICES.join(', ')}, got "${value}"`,
    );
  }
}

/** Adds the AvailabilityFlags to `chorus coordinator`. */
export function availabilityOptions(cmd: Command): Command {
  return cmd
    .option(
      '--replicas <n>',
      `copies JetStream keeps of every Chorus stream and bucket: 1, or 3 on a cluster of 3+ servers ` +
        `(default 1; ${ENV.natsReplicas})`,
      replicasOption,
      envReplicas(),
    )
    .option(
      '--move-replicas',
      'scale existing streams to --replicas in place (without it, a different count stops the start)',
    )
    .option(
      '--lease-seconds <s>',
      `leadership lease: with several coordinators, a standby takes over this long after the leader dies ` +
        `(default ${DEFAULT_LEASE_SECONDS})`,
      positiveIntOption,
    )
    .option(
      '--advertise <host[:port]>',
      `the address clients reach this coordinator at, named by standbys' redirects; the port defaults ` +
        `to --grpc's (default: --grpc, a wildcard host replaced by the host name; ${ENV.advertise})`,
      hostOrHostPortOption,
      envOrUndefined('advertise'),
    );
}

/** The coordinator options these flags set. */
export function availabilityCoordinator(flags: AvailabilityFlags): {
  leaseSeconds?: number;
  advertise?: string;
} {
  return {
    ...(flags.leaseSeconds !== undefined ? { leaseSeconds: flags.leaseSeconds } : {}),
    ...(flags.advertise !== undefined ? { advertise: flags.advertise } : {}),
  };
}

/** The resource options these flags set. */
export function availabilityResources(flags: AvailabilityFlags): {
  replicas?: number;
  moveReplicas?: boolean;
} {
  return {
    ...(flags.replicas !== undefined ? { replicas: flags.replicas } : {}),
    ...(flags.moveReplicas ? { moveReplicas: true } : {}),
  };
}
