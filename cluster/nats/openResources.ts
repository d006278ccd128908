import { JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { millis, type NatsConnection } from '@nats-io/transport-node';
import { ObjectBucket } from '../artifacts/objectBucket.ts';
import { NatsResourceError } from '../errors.ts';
import type { NatsResources } from './natsResources.ts';
import { natsNames } from './natsNames.ts';
import { resolveNatsResourceOptions, type NatsResourceOptions } from './natsResourceOptions.ts';

/**
 * The NATS resources of a prefix as the coordinator made them, for a worker: looked up, never
 * created, updated or deleted, so that a worker's NATS user needs no right to do so
 * (cluster/nats/workerPermissions.ts). A missing stream, bucket or consumer is a
 * NatsResourceError that says to start the coordinator first. The settings the coordinator owns
 * (AckWait, MaxDeliver, …) are read from the server and win over `partial`; `changes` is empty.
 */
export async function openResources(
  nc: NatsConnection,
  partial: Partial<NatsResourceOptions> = {},
): Promise<NatsResources> {
  const names = natsNames(resolveNatsResourceOptions(partial).prefix);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = (name: string, what: string) => lookUp(jsm.streams.info(name), `${what} (stream ${name})`);

  const tasks = await stream(names.taskStream, 'task stream');
  const consumer = await lookUp(
    jsm.consumers.info(names.taskStream, names.taskConsumer),
    `task consumer ${names.taskConsumer} on ${names.taskStream}`,
  );
  const results = await stream(names.resultStream, 'result stream');
  await stream(`KV_${names.stateBucket}`, `KV bucket ${names.stateBucket}`);
  const workersKv = await stream(`KV_${names.workersBucket}`, `KV bucket ${names.workersBucket}`);
  await stream(`OBJ_${names.artifactsBucket}`, `object store ${names.artifactsBucket}`);

  const adopted: Partial<NatsResourceOptions> = { ...consumerSettings(consumer.config) };
  adopt(adopted, 'maxAckPending', consumer.config.max_ack_pending);
  adopt(adopted, 'maxMessageBytes', tasks.config.max_msg_size);
  adopt(adopted, 'resultsMaxAgeMs', millis(results.config.max_age));
  adopt(adopted, 'workersTtlMs', millis(workersKv.config.max_age));
  const options = resolveNatsResourceOptions({ ...partial, ...adopted, prefix: names.prefix });

  // Bind only: `open` checks nothing more and creates nothing.
  const kvm = new Kvm(js);
  const state = await kvm.open(names.stateBucket);
  const workers = await kvm.open(names.workersBucket);
  const artifacts = await new Objm(js).open(names.artifactsBucket);
  const objects = new ObjectBucket(nc, js, jsm, names.artifactsBucket);
  return { names, options, js, jsm, state, workers, artifacts, objects, changes: [] };
}

/** Task consumer settings as the server has them now (the coordinator may change them while a worker runs). */
export function consumerSettings(config: {
  ack_wait?: number;
  max_deliver?: number;
}): Partial<Pick<NatsResourceOptions, 'ackWaitMs' | 'maxDeliver'>> {
  const out: Partial<NatsResourceOptions> = {};
  adopt(out, 'ackWaitMs', millis(config.ack_wait ?? 0));
  adopt(out, 'maxDeliver', config.max_deliver);
  return out;
}

/** Sets the field only if Chorus would accept the value (not max_deliver -1, "unlimited", say). */
function adopt(out: Partial<NatsResourceOptions>, field: keyof NatsResourceOptions, value: unknown): void {
  if (typeof value !== 'number') return;
  try {
    resolveNatsResourceOptions({ [field]: value });
    Object.assign(out, { [field]: value });
  } catch {
    // Not a value Chorus uses: the default stands.
  }
}

async function lookUp<T>(request: Promise<T>, what: string): Promise<T> {
  try {
    return await request;
  } catch (err) {
    const missing =
      err instanceof JetStreamApiError &&
      (err.code === JetStreamApiCodes.StreamNotFound || err.code === JetStreamApiCodes.ConsumerNotFound);
    if (missing) {
      throw new NatsResourceError(
        what,
        'does not exist: run the coordinator first (`chorus coordinator` creates the NATS resources; workers only use them)',
        { cause: err },
      );
    }
    if (/Permissions Violation/i.test(String(err))) {
      throw new NatsResourceError(
        what,
        "this NATS user may not look it up: the worker's permissions must be those of `chorus nats-permissions` for this prefix (docs/security.md)",
        { cause: err },
      );
    }
    throw err;
  }
}
