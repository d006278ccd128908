import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import type { ObjectBucket } from '../artifacts/objectBucket.ts';
import type { NatsNames } from './natsNames.ts';
import type { NatsResourceOptions } from './natsResourceOptions.ts';

/** Handles on every NATS resource of one prefix. */
export interface NatsResources {
  names: NatsNames;
  options: NatsResourceOptions;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** KV `<prefix>-state`: job and task records. */
  state: KV;
  /** KV `<prefix>-workers`: heartbeats, expiring after `workersTtlMs`. */
  workers: KV;
  /**
   * Object Store `<prefix>-artifacts`, through nats.js: for reads only. Its put and delete send rollup
   * headers, which the bucket refuses (workers must not be able to erase it): write through `objects`.
   */
  artifacts: ObjectStore;
  /** The same bucket, written without rollups or purges and read by direct get (cluster/artifacts/objectBucket.ts). */
  objects: ObjectBucket;
  /** What this call created or updated, one line each; empty when everything was in place. */
  changes: string[];
}
