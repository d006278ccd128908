import { natsNames } from './natsNames.ts';

/** A NATS user's permissions as the server config writes them: only what is allowed, nothing else is. */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

/**
 * The inbox prefix of a worker's connections (the process and its pool threads). Replies to a
 * worker's requests arrive there, and it is the only inbox its NATS user may subscribe to: with the
 * default `_INBOX.>` it could read every reply the coordinator receives, its results included.
 */
export function workerInboxPrefix(prefix = 'chorus'): string {
  return `_INBOX.${natsNames(prefix).prefix}-worker`;
}

/**
 * What a worker's NATS user needs, and no more (docs/security.md, "NATS permissions"): look up the
 * streams and the task consumer, pull tasks and acknowledge them, publish results and progress,
 * hear cancellations, read job and task records, write its heartbeat, and read and write artifacts.
 * It cannot create, change or delete a stream or the task consumer, publish a task, write job or
 * task state, or subscribe to other clients' inboxes. Reading an object needs a short-lived
 * consumer on the artifacts stream, and replacing one purges its old chunks: those two are allowed
 * on that stream only.
 */
export function workerPermissions(prefix = 'chorus'): NatsPermissions {
  const n = natsNames(prefix);
  const state = `KV_${n.stateBucket}`;
  const workers = `KV_${n.workersBucket}`;
  const objects = `OBJ_${n.artifactsBucket}`;
  return {
    publish: {
      allow: [
        // JetStream's account check, and look-ups (never create, update or delete).
        '$JS.API.INFO',
        ...[n.taskStream, n.resultStream, state, workers, objects].map((s) => `$JS.API.STREAM.INFO.${s}`),
        `$JS.API.CONSUMER.INFO.${n.taskStream}.${n.taskConsumer}`,
        // Take tasks; ack, nak, term and working().
        `$JS.API.CONSUMER.MSG.NEXT.${n.taskStream}.${n.taskConsumer}`,
        `$JS.ACK.${n.taskStream}.${n.taskConsumer}.>`,
        `${n.prefix}.results.>`,
        `${n.prefix}.progress.>`,
        // Job and task records: read only.
        `$JS.API.STREAM.MSG.GET.${state}`,
        // Heartbeats.
        `$KV.${n.workersBucket}.>`,
        // Artifacts: chunks and metadata, reads, the ordered consumers of `get` and `list` (and
        // their flow control), the purge of a replaced object's chunks.
        `$O.${n.artifactsBucket}.>`,
        `$JS.API.STREAM.MSG.GET.${objects}`,
        `$JS.API.STREAM.PURGE.${objects}`,
        `$JS.API.CONSUMER.CREATE.${objects}`,
        `$JS.API.CONSUMER.CREATE.${objects}.>`,
        `$JS.API.CONSUMER.DELETE.${objects}.>`,
        `$JS.FC.${objects}.>`,
      ],
    },
    subscribe: { allow: [`${workerInboxPrefix(prefix)}.>`, `${n.prefix}.cancel.>`] },
  };
}

/**
 * The permissions as a nats-server config block (`permissions: { … }`), indented by `indent`
 * spaces, for a user entry of `authorization { users: [...] }`. Subjects are quoted: `$` would
 * otherwise start a config variable.
 */
export function permissionsConfig(permissions: NatsPermissions, indent = 0): string {
  const pad = ' '.repeat(indent);
  const list = (subjects: string[]) => subjects.map((s) => `${pad}      ${JSON.stringify(s)}`).join('\n');
  return [
    `${pad}permissions: {`,
    `${pad}  publish: {`,
    `${pad}    allow: [`,
    list(permissions.publish.allow),
    `${pad}    ]`,
    `${pad}  }`,
    `${pad}  subscribe: {`,
    `${pad}    allow: [`,
    list(permissions.subscribe.allow),
    `${pad}    ]`,
    `${pad}  }`,
    `${pad}}`,
  ].join('\n');
}
