import { InvalidArgumentError, type Command } from 'commander';
import { REPLICA_CHOICES } from '../../cluster/nats/natsResourceOptions.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { ENV } from '../env.ts';
import { envOrUndefined } from '../options.ts';

/** The coordinator's high-availability flags (docs/operations.md). */
export interface AvailabilityFlags {
  /** Copies of every stream, KV bucket and the Object Store. */
  replicas?: number;
  /** Scale existing streams to `replicas` in place instead of refusing to start. */
  moveReplicas?: boolean;
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
    );
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
