import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type {
  ConsumerConfig,
  ConsumerInfo,
  JetStreamClient,
  JetStreamManager,
  StreamConfig,
  StreamInfo,
} from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import type { ObjectStore } from '@nats-io/obj';
import { nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsResourceError } from '../../cluster/errors.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import { resolveNatsResourceOptions } from '../../cluster/nats/natsResourceOptions.ts';
import type { NatsResourceOptions } from '../../cluster/nats/natsResourceOptions.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { ObjectBucket } from '../../cluster/artifacts/objectBucket.ts';

/** How many copies every stream keeps, and whether an existing stream with another count may be scaled. */
interface Replication {
  replicas: number;
  move: boolean;
}

/** Stream settings Chorus cares about; `fixed` ones cannot be changed on an existing stream. */
interface StreamWant {
  name: string;
  replication: Replication;
  fixed: Pick<StreamConfig, 'retention' | 'storage'>;
  updatable: Partial<
    Pick<
      StreamConfig,
      | 'subjects'
      | 'max_msg_size'
      | 'max_age'
      | 'max_msgs_per_subject'
      | 'duplicate_window'
      | 'allow_rollup_hdrs'
      | 'allow_direct'
    >
  >;
}

interface ConsumerWant {
  stream: string;
  name: string;
  fixed: Pick<ConsumerConfig, 'ack_policy' | 'deliver_policy'>;
  updatable: Pick<ConsumerConfig, 'ack_wait' | 'max_deliver' | 'max_ack_pending'>;
}

const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

/** The server refuses a duplicate window longer than max_age, and defaults it to min(2 min, max_age). */
function duplicateWindow(maxAgeMs: number): number {
  return nanos(maxAgeMs > 0 ? Math.min(DEFAULT_DUPLICATE_WINDOW_MS, maxAgeMs) : DEFAULT_DUPLICATE_WINDOW_MS);
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return null;
    throw err;
  }
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
  }
  return a === b;
}

/** Field-by-field differences, as `field: have → want`. */
function diff(have: object, want: object): string[] {
  const h = have as Record<string, unknown>;
  return Object.entries(want)
    .filter(([k, v]) => !same(h[k], v))
    .map(([k, v]) => `${k}: ${JSON.stringify(h[k])} → ${JSON.stringify(v)}`);
}

/**
 * An existing stream keeps another number of copies than asked: Chorus does not change replication on
 * its own (scaling moves every message between servers); it says how to.
 */
function replicaMismatch(stream: string, have: number, want: number): NatsResourceError {
  return new NatsResourceError(
    `stream ${stream}`,
    `has ${have} replica${have === 1 ? '' : 's'} but ${want} ${want === 1 ? 'was' : 'were'} asked for ` +
      `(--replicas ${want}); start the coordinator once with --move-replicas to scale every stream of ` +
      `the prefix in place (the cluster needs ${want} servers with JetStream), or ` +
      `\`nats stream edit ${stream} --replicas ${want}\` (docs/operations.md, "Moving an R1 install")`,
  );
}

/**
 * Reads of a replicated bucket go through its leader: a direct get may be answered by any copy,
 * including one that has not yet stored what was just written (a worker would then see a job it was
 * given as unknown). A single server keeps today's direct gets.
 */
function consistentReads(replication: Replication): { allow_direct?: false } {
  return replication.replicas > 1 ? { allow_direct: false } : {};
}

/** A stream the server would not create with this many copies (a single server, too few servers) is named. */
async function refusedReplicas<T>(
  stream: string,
  replication: Replication,
  create: () => Promise<T>,
): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if (replication.replicas === 1 || !(err instanceof JetStreamApiError)) throw err;
    throw new NatsResourceError(
      `stream ${stream}`,
      `cannot be created with ${replication.replicas} replicas: ${err.message} ` +
        `(--replicas ${replication.replicas} needs a JetStream cluster of at least ${replication.replicas} servers)`,
      { cause: err },
    );
  }
}

/** Checks an existing stream's fixed settings and brings the updatable ones in line. */
async function reconcileStream(
  jsm: JetStreamManager,
  info: StreamInfo,
  want: StreamWant,
  changes: string[],
): Promise<void> {
  const fixed = diff(info.config, want.fixed);
  if (fixed.length > 0) {
    throw new NatsResourceError(
      `stream ${want.name}`,
      `exists with settings that cannot be changed in place (${fixed.join(', ')}); ` +
        `delete it (\`nats stream rm ${want.name}\`) or use another prefix`,
    );
  }
  const { replicas, move } = want.replication;
  const rescale = info.config.num_replicas !== replicas;
  if (rescale && !move) throw replicaMismatch(want.name, info.config.num_replicas, replicas);
  const updatable = rescale ? { ...want.updatable, num_replicas: replicas } : want.updatable;
  const updates = diff(info.config, updatable);
  if (updates.length === 0) return;
  try {
    await jsm.streams.update(want.name, updatable);
  } catch (err) {
    throw new NatsResourceError(`stream ${want.name}`, `update refused (${updates.join(', ')})`, {
      cause: err,
    });
  }
  if (rescale) await waitForCopies(jsm, want.name, replicas);
  changes.push(`updated stream ${want.name} (${updates.join(', ')})`);
}

/** How long a scaled stream may take to elect a leader and bring its new copies up to date. */
const RESCALE_TIMEOUT_MS = 60_000;

/**
 * Waits until a replicated stream (or, with `consumer`, its consumer) has a leader and every copy is
 * current: requests right after a creation or an update time out while the Raft group elects its
 * leader and the copies catch up, and workers checking their access at start would fail.
 */
async function waitForCopies(
  jsm: JetStreamManager,
  stream: string,
  replicas: number,
  consumer?: string,
): Promise<void> {
  const deadline = Date.now() + RESCALE_TIMEOUT_MS;
  let seen = 'no answer';
  while (Date.now() < deadline) {
    try {
      const { cluster } = consumer
        ? await jsm.consumers.info(stream, consumer)
        : await jsm.streams.info(stream);
      const followers = cluster?.replicas ?? [];
      seen = `leader ${cluster?.leader ?? 'none'}, ${followers.filter((r) => r.current).length} current follower(s)`;
      if (cluster?.leader && followers.length === replicas - 1 && followers.every((r) => r.current)) return;
    } catch (err) {
      seen = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new NatsResourceError(
    consumer ? `consumer ${consumer} on ${stream}` : `stream ${stream}`,
    `has ${replicas} replicas, but its copies were not current after ${RESCALE_TIMEOUT_MS / 1000} s (${seen})`,
  );
}

async function ensureStream(jsm: JetStreamManager, want: StreamWant, changes: string[]): Promise<void> {
  const info = await streamInfo(jsm, want.name);
  if (info) return reconcileStream(jsm, info, want, changes);
  await refusedReplicas(want.name, want.replication, () =>
    jsm.streams.add({
      name: want.name,
      num_replicas: want.replication.replicas,
      ...want.fixed,
      ...want.updatable,
    }),
  );
  changes.push(`created stream ${want.name}`);
}

async function ensureConsumer(jsm: JetStreamManager, want: ConsumerWant, changes: string[]): Promise<void> {
  let info: ConsumerInfo | null = null;
  try {
    info = await jsm.consumers.info(want.stream, want.name);
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
  }
  const what = `consumer ${want.name} on ${want.stream}`;
  if (!info) {
    await jsm.consumers.add(want.stream, { durable_name: want.name, ...want.fixed, ...want.updatable });
    changes.push(`created ${what}`);
    return;
  }
  const fixed = diff(info.config, want.fixed);
  if (info.config.deliver_subject) fixed.push(`deliver_subject: it is a push consumer, Chorus pulls`);
  if (fixed.length > 0) {
    throw new NatsResourceError(
      what,
      `exists with settings that cannot be changed in place (${fixed.join(', ')}); ` +
        `delete it (\`nats consumer rm ${want.stream} ${want.name}\`) or use another prefix`,
    );
  }
  const updates = diff(info.config, want.updatable);
  if (updates.length === 0) return;
  try {
    await jsm.consumers.update(want.stream, want.name, want.updatable);
  } catch (err) {
    throw new NatsResourceError(what, `update refused (${updates.join(', ')})`, { cause: err });
  }
  changes.push(`updated ${what} (${updates.join(', ')})`);
}

/**
 * A KV bucket (created by the kv client, so its stream has the layout the client expects), reconciled.
 * `rollups: false` for a bucket workers write: a rollup header on any key would purge every key.
 */
async function ensureKv(
  js: JetStreamClient,
  jsm: JetStreamManager,
  bucket: string,
  want: { storage: StorageType; history: number; ttlMs: number; rollups: boolean },
  replication: Replication,
  changes: string[],
): Promise<KV> {
  const stream = `KV_${bucket}`;
  const kvm = new Kvm(js);
  let info = await streamInfo(jsm, stream);
  let created = false;
  if (!info) {
    await refusedReplicas(stream, replication, () =>
      kvm.create(bucket, {
        storage: want.storage,
        history: want.history,
        ttl: want.ttlMs,
        replicas: replication.replicas,
        ...consistentReads(replication),
      }),
    );
    changes.push(`created KV bucket ${bucket}`);
    info = await jsm.streams.info(stream);
    created = true;
  }
  await reconcileStream(
    jsm,
    info,
    {
      name: stream,
      replication,
      fixed: { retention: RetentionPolicy.Limits, storage: want.storage },
      updatable: {
        max_msgs_per_subject: want.history,
        max_age: nanos(want.ttlMs),
        duplicate_window: duplicateWindow(want.ttlMs),
        allow_rollup_hdrs: want.rollups,
        ...consistentReads(replication),
      },
    },
    created ? [] : changes,
  );
  return kvm.open(bucket);
}

/**
 * The artifacts Object Store, refusing rollup headers: workers publish into it, and a rollup header
 * on any of its subjects would purge the whole stream. Writes go through ObjectBucket, which needs none.
 */
async function ensureObjectStore(
  js: JetStreamClient,
  jsm: JetStreamManager,
  bucket: string,
  replication: Replication,
  changes: string[],
): Promise<ObjectStore> {
  const stream = `OBJ_${bucket}`;
  let info = await streamInfo(jsm, stream);
  const objm = new Objm(js);
  let created = false;
  if (!info) {
    await refusedReplicas(stream, replication, () =>
      objm.create(bucket, { storage: StorageType.File, replicas: replication.replicas }),
    );
    changes.push(`created object store ${bucket}`);
    info = await jsm.streams.info(stream);
    created = true;
  }
  await reconcileStream(
    jsm,
    info,
    {
      name: stream,
      replication,
      fixed: { retention: RetentionPolicy.Limits, storage: StorageType.File },
      updatable: { allow_rollup_hdrs: false, ...consistentReads(replication) },
    },
    created ? [] : changes,
  );
  return objm.open(bucket);
}

/** The coordinator must never lose a result or an advisory: unlimited redeliveries until it acks. */
const COORDINATOR_CONSUMER = {
  fixed: { ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All },
  updatable: { ack_wait: nanos(30_000), max_deliver: -1, max_ack_pending: 10_000 },
};

/**
 * Creates, or checks and updates, every NATS resource of a prefix: the task work queue and the
 * workers' durable pull consumer, the result and advisory streams with the coordinator's consumers, the
 * state and workers KV buckets, and the artifacts Object Store. Idempotent: a second call with the
 * same options changes nothing (`changes` is empty). Settings that cannot change in place (retention,
 * storage, ack policy, push vs pull) fail with a NatsResourceError naming the resource.
 */
export async function ensureResources(
  nc: NatsConnection,
  partial: Partial<NatsResourceOptions> = {},
): Promise<NatsResources> {
  const options = resolveNatsResourceOptions(partial);
  const names = natsNames(options.prefix);
  const maxPayload = nc.info?.max_payload;
  if (maxPayload !== undefined && options.maxMessageBytes > maxPayload) {
    throw new NatsResourceError(
      `server ${nc.getServer()}`,
      `maxMessageBytes ${options.maxMessageBytes} exceeds the server's max_payload ${maxPayload}`,
    );
  }
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const changes: string[] = [];
  const replication: Replication = { replicas: options.replicas, move: options.moveReplicas };

  await ensureStream(
    jsm,
    {
      name: names.taskStream,
      replication,
      fixed: { retention: RetentionPolicy.Workqueue, storage: StorageType.File },
      updatable: { subjects: [names.taskSubjects], max_msg_size: options.maxMessageBytes },
    },
    changes,
  );
  await ensureConsumer(
    jsm,
    {
      stream: names.taskStream,
      name: names.taskConsumer,
      fixed: { ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All },
      updatable: {
        ack_wait: nanos(options.ackWaitMs),
        max_deliver: options.maxDeliver,
        max_ack_pending: options.maxAckPending,
      },
    },
    changes,
  );
  await ensureStream(
    jsm,
    {
      name: names.resultStream,
      replication,
      fixed: { retention: RetentionPolicy.Limits, storage: StorageType.File },
      updatable: {
        subjects: [names.resultSubjects],
        max_msg_size: options.maxMessageBytes,
        max_age: nanos(options.resultsMaxAgeMs),
        duplicate_window: duplicateWindow(options.resultsMaxAgeMs),
      },
    },
    changes,
  );
  await ensureConsumer(
    jsm,
    {
      stream: names.resultStream,
      name: names.resultConsumer,
      ...COORDINATOR_CONSUMER,
    },
    changes,
  );
  // The advisory is a plain NATS message: without a stream, one sent while the coordinator is down is
  // lost, and the task's dispatch would wait forever.
  await ensureStream(
    jsm,
    {
      name: names.advisoryStream,
      replication,
      fixed: { retention: RetentionPolicy.Limits, storage: StorageType.File },
      updatable: { subjects: [names.maxDeliveriesAdvisory], max_age: nanos(options.resultsMaxAgeMs) },
    },
    changes,
  );
  await ensureConsumer(
    jsm,
    {
      stream: names.advisoryStream,
      name: names.advisoryConsumer,
      ...COORDINATOR_CONSUMER,
    },
    changes,
  );
  const state = await ensureKv(
    js,
    jsm,
    names.stateBucket,
    { storage: StorageType.File, history: 1, ttlMs: 0, rollups: true },
    replication,
    changes,
  );
  // File storage although heartbeats are short-lived: a memory bucket vanishes when the server
  // restarts, and workers would then write to a bucket that no longer exists.
  const workers = await ensureKv(
    js,
    jsm,
    names.workersBucket,
    { storage: StorageType.File, history: 1, ttlMs: options.workersTtlMs, rollups: false },
    replication,
    changes,
  );
  const artifacts = await ensureObjectStore(js, jsm, names.artifactsBucket, replication, changes);
  if (options.replicas > 1) {
    const streams = [names.taskStream, names.resultStream, names.advisoryStream];
    const buckets = [`KV_${names.stateBucket}`, `KV_${names.workersBucket}`, `OBJ_${names.artifactsBucket}`];
    for (const stream of [...streams, ...buckets]) await waitForCopies(jsm, stream, options.replicas);
    await waitForCopies(jsm, names.taskStream, options.replicas, names.taskConsumer);
    await waitForCopies(jsm, names.resultStream, options.replicas, names.resultConsumer);
    await waitForCopies(jsm, names.advisoryStream, options.replicas, names.advisoryConsumer);
  }
  const objects = new ObjectBucket(nc, js, jsm, names.artifactsBucket);
  return { names, options, js, jsm, state, workers, artifacts, objects, changes };
}
