import { checkWorkerName, natsNames } from './natsNames.ts';

/** A NATS user's permissions as the server config writes them: only what is allowed, nothing else is. */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

/** A subject the Chorus account exports as a service (requests and publishes from the workers' account). */
export interface ServiceExport {
  subject: string;
  /** `stream`: one request gets several replies (a pull request's messages and status replies). */
  responseType?: 'stream';
}

/** The subjects linking the workers' account to the Chorus account (docs/security.md, "The NATS side"). */
export interface WorkerAccountLinks {
  /** What workers publish or request into the Chorus account. */
  services: ServiceExport[];
  /** What workers receive from the Chorus account. */
  streams: string[];
}

/**
 * The two NATS accounts of a secured deployment. The coordinator logs in to `CHORUS`, which holds the
 * JetStream streams; workers log in to `CHORUS_WORKERS`, which sees only what `CHORUS` exports to it.
 * Separate accounts are what make the workers' permissions hold: within one account, the server
 * delivers the reply to a request to whatever reply subject the requester names, so a worker could
 * have JetStream's answer stored in any stream (a job record, say). Across accounts the server
 * rewrites reply subjects, and no stream of `CHORUS` can receive them.
 */
export const NATS_ACCOUNTS = { chorus: 'CHORUS', workers: 'CHORUS_WORKERS' } as const;

/** The worker name of `chorus worker` and `chorus nats-permissions` unless `--worker-name` is given. */
export const DEFAULT_WORKER_NAME = 'worker';

/**
 * The inbox prefix of a worker's connections (the process and its pool threads). Replies to a
 * worker's requests arrive there, and it is the only inbox its NATS user may subscribe to: with the
 * default `_INBOX.>` it could read the replies other workers' requests get.
 */
export function workerInboxPrefix(prefix = 'chorus', workerName = DEFAULT_WORKER_NAME): string {
  return `_INBOX.${natsNames(prefix).prefix}-worker.${checkWorkerName(workerName)}`;
}

/**
 * Everything a worker needs from the Chorus account, and no more: look up the streams and the task
 * consumer, pull tasks and acknowledge them, publish results and progress, hear cancellations, read
 * job and task records, write heartbeats, and read and write artifacts (the Object Store's chunk and
 * metadata subjects, read back by direct get). Nothing here creates, changes, purges or deletes a
 * stream or consumer or removes a message: the artifacts stream and the workers bucket refuse
 * rollup headers (coordinator/nats/ensureResources.ts), and replaced artifacts are purged by the
 * coordinator (coordinator/nats/artifactJanitor.ts).
 */
export function workerAccountLinks(prefix = 'chorus'): WorkerAccountLinks {
  const n = natsNames(prefix);
  const state = `KV_${n.stateBucket}`;
  const workers = `KV_${n.workersBucket}`;
  const objects = `OBJ_${n.artifactsBucket}`;
  const service = (subject: string): ServiceExport => ({ subject });
  return {
    services: [
      // JetStream's account check, and look-ups (never create, update or delete).
      service('$JS.API.INFO'),
      ...[n.taskStream, n.resultStream, state, workers, objects].map((s) =>
        service(`$JS.API.STREAM.INFO.${s}`),
      ),
      service(`$JS.API.CONSUMER.INFO.${n.taskStream}.${n.taskConsumer}`),
      // Take tasks; ack, nak, term and working().
      { subject: `$JS.API.CONSUMER.MSG.NEXT.${n.taskStream}.${n.taskConsumer}`, responseType: 'stream' },
      service(`$JS.ACK.${n.taskStream}.${n.taskConsumer}.>`),
      service(`${n.prefix}.results.>`),
      service(`${n.prefix}.progress.>`),
      // Job and task records: read only.
      service(`$JS.API.STREAM.MSG.GET.${state}`),
      // Heartbeats: each worker user may write only its own name's keys (workerPermissions).
      service(`$KV.${n.workersBucket}.>`),
      // Artifacts: chunks and metadata written, both read back by direct get (no consumers).
      service(`$O.${n.artifactsBucket}.>`),
      service(`$JS.API.DIRECT.GET.${objects}`),
      service(`$JS.API.DIRECT.GET.${objects}.>`),
      // …or through the stream's leader when it is replicated (it serves no direct gets then).
      service(`$JS.API.STREAM.MSG.GET.${objects}`),
    ],
    streams: [`${n.prefix}.cancel.>`],
  };
}

/**
 * The permissions of one worker user in the workers' account: the subjects its account imports, except
 * that of the heartbeat keys only those of its own worker name (`chorus worker --worker-name`), and of
 * the inboxes only its own. Several workers may share a user (and so a name); the server cannot tell
 * them apart, and each may write the others' heartbeats. Give a user per machine to tell them apart.
 */
export function workerPermissions(prefix = 'chorus', workerName = DEFAULT_WORKER_NAME): NatsPermissions {
  const n = natsNames(prefix);
  const allHeartbeats = `$KV.${n.workersBucket}.>`;
  const own = `$KV.${n.workersBucket}.${n.workerKeys(workerName)}`;
  const links = workerAccountLinks(prefix);
  return {
    publish: { allow: links.services.map((s) => (s.subject === allHeartbeats ? own : s.subject)) },
    subscribe: { allow: [`${workerInboxPrefix(prefix, workerName)}.>`, ...links.streams] },
  };
}
