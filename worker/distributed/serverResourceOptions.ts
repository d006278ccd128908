import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { millis } from '@nats-io/transport-node';
import { natsNames } from '../../coordinator/nats/natsNames.ts';
import {
  resolveNatsResourceOptions,
  type NatsResourceOptions,
} from '../../coordinator/nats/natsResourceOptions.ts';

/**
 * The resource settings already on the server for a prefix. The coordinator owns them (its flags,
 * e.g. `--ack-wait-ms`); a worker passes these to `ensureResources` so that it adopts them instead
 * of "reconciling" them back to its own defaults each time it starts. Missing resources give no
 * entry (the worker then creates them with defaults), and so does a value Chorus would refuse.
 */
export async function serverResourceOptions(
  jsm: JetStreamManager,
  prefix: string,
): Promise<Partial<NatsResourceOptions>> {
  const names = natsNames(prefix);
  const out: Partial<NatsResourceOptions> = {};
  const consumer = await orNull(jsm.consumers.info(names.taskStream, names.taskConsumer));
  if (consumer) {
    adopt(out, 'ackWaitMs', millis(consumer.config.ack_wait ?? 0));
    adopt(out, 'maxDeliver', consumer.config.max_deliver);
    adopt(out, 'maxAckPending', consumer.config.max_ack_pending);
  }
  const tasks = await orNull(jsm.streams.info(names.taskStream));
  if (tasks) adopt(out, 'maxMessageBytes', tasks.config.max_msg_size);
  const results = await orNull(jsm.streams.info(names.resultStream));
  if (results) adopt(out, 'resultsMaxAgeMs', millis(results.config.max_age));
  const workers = await orNull(jsm.streams.info(`KV_${names.workersBucket}`));
  if (workers) adopt(out, 'workersTtlMs', millis(workers.config.max_age));
  return out;
}

/** Task consumer settings as the server has them now (they may change while a worker runs). */
export function consumerSettings(config: {
  ack_wait?: number;
  max_deliver?: number;
}): Partial<Pick<NatsResourceOptions, 'ackWaitMs' | 'maxDeliver'>> {
  const out: Partial<NatsResourceOptions> = {};
  adopt(out, 'ackWaitMs', millis(config.ack_wait ?? 0));
  adopt(out, 'maxDeliver', config.max_deliver);
  return out;
}

/** Sets the field only if Chorus would accept the value (e.g. not max_deliver -1, "unlimited"). */
function adopt(out: Partial<NatsResourceOptions>, field: keyof NatsResourceOptions, value: unknown): void {
  if (typeof value !== 'number') return;
  try {
    resolveNatsResourceOptions({ [field]: value });
    Object.assign(out, { [field]: value });
  } catch {
    // Not a value Chorus uses: leave the field to ensureResources' default.
  }
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    const missing =
      err instanceof JetStreamApiError &&
      (err.code === JetStreamApiCodes.StreamNotFound || err.code === JetStreamApiCodes.ConsumerNotFound);
    if (missing) return null;
    throw err;
  }
}
