import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
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
  /** Object Store `<prefix>-artifacts`. */
  artifacts: ObjectStore;
  /** What this call created or updated, one line each; empty when everything was in place. */
  changes: string[];
}
