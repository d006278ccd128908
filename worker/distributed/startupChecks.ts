import type { NatsConnection } from '@nats-io/transport-node';
import { connectDataPlane } from '../../cluster/client/dataPlaneConnection.ts';
import { CoordinatorUnreachableError, StartupCheckError } from '../../cluster/errors.ts';
import { clientConnectOptions, type ClientSecurity } from '../../cluster/grpc/authClient.ts';
import {
  probeAck,
  probeDirectGet,
  probePublish,
  probePull,
  refusalOf,
} from '../../cluster/nats/accessProbes.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';

function permissionsHint(prefix: string, workerName: string): string {
  return (
    "The workers' NATS user needs the permissions `chorus nats-permissions " +
    `--nats-prefix ${prefix} --worker-name ${workerName}\` prints, in the workers' account (docs/security.md).`
  );
}

/**
 * A refusal met while a worker first looks up the NATS resources, as a StartupCheckError that says
 * what to fix; any other error as it is. The inbox comes first: a login whose permissions are for
 * another worker name cannot receive the reply to its first request.
 */
export function explainWorkerLoginRefusal(err: unknown, prefix: string, workerName: string): unknown {
  const why = refusalOf(err);
  if (!why) return err;
  const inbox = /Subscription to "_INBOX/i.test(String(err));
  return new StartupCheckError(
    inbox
      ? `this NATS login may not receive replies on the inbox of worker name "${workerName}": its permissions ` +
          `are for another worker name or prefix, or none. Start the worker with the --worker-name its user's permissions name. ` +
          permissionsHint(prefix, workerName)
      : `this NATS login cannot look up Chorus's streams: ${why}. ${permissionsHint(prefix, workerName)}`,
    { cause: err },
  );
}

/** A job id no job has (`newJobId` always appends a time stamp): probes aim at it. */
const PROBE_JOB = 'chorus-startup-probe';

/**
 * What a worker checks before it says ready (docs/security.md, "Start-up checks"), so that a wrong
 * NATS login or gRPC token stops it at once, with the missing right named, instead of after a task's
 * training: its NATS login may pull and acknowledge tasks, read job records, publish results, write
 * and read artifacts and write its own heartbeat; its token may stream logits (PutLogits). Nothing is
 * written or taken (cluster/nats/accessProbes.ts).
 */
export async function checkWorkerNats(
  nc: NatsConnection,
  resources: NatsResources,
  worker: { name: string; instance: string },
): Promise<void> {
  const { names, jsm, objects, state } = resources;
  const hint = permissionsHint(names.prefix, worker.name);
  await probePull(nc, names.taskStream, names.taskConsumer, `pull tasks from ${names.taskStream}`, hint);
  await probeAck(nc, names.taskStream, names.taskConsumer, 'acknowledge tasks', hint);
  try {
    await state.get(names.jobKey(PROBE_JOB));
  } catch (err) {
    throw new StartupCheckError(
      `this NATS login cannot read job records (KV ${names.stateBucket}): ${String(err)}. ${hint}`,
      {
        cause: err,
      },
    );
  }
  await probePublish(nc, names.resultSubject(PROBE_JOB), 'publish task results', hint);
  await probePublish(nc, objects.chunkSubject(PROBE_JOB), 'write artifacts', hint);
  await probeDirectGet(jsm, objects.stream, objects.metaSubject(PROBE_JOB), 'read artifacts', hint);
  await probePublish(
    nc,
    `$KV.${names.workersBucket}.${names.workerKey(worker.name, worker.instance)}`,
    `write the heartbeats of worker name "${worker.name}"`,
    `${hint} Start the worker with the --worker-name its user's permissions name.`,
  );
}

/** Connection failures worth waiting out: the coordinator is not (yet) there. Anything else (TLS) is a setting. */
const NOT_THERE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|No connection established/;

/**
 * Checks that the worker's gRPC token may stream logits: an empty PutLogits stream, which the
 * coordinator answers without storing anything, after checking the token's role. While the
 * coordinator cannot be reached (not started yet) it tries again every few seconds, until `signal`.
 */
export async function checkWorkerToken(
  coordinator: string,
  grpc: ClientSecurity | undefined,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const plane = connectDataPlane(coordinator, clientConnectOptions(grpc));
  let delayMs = 500;
  let loggedAt = 0;
  try {
    for (;;) {
      try {
        await plane.putLogits([]);
        return;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof CoordinatorUnreachableError && NOT_THERE.test(message)) {
          if (signal?.aborted) {
            throw new StartupCheckError(`stopped while waiting for the coordinator: ${message}`, {
              cause: err,
            });
          }
          if (Date.now() - loggedAt >= 30_000) {
            log(`waiting for the coordinator: ${message}`);
            loggedAt = Date.now();
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, delayMs);
            function done() {
              clearTimeout(timer);
              signal?.removeEventListener('abort', done);
              resolve();
            }
            signal?.addEventListener('abort', done, { once: true });
          });
          delayMs = Math.min(5000, delayMs * 2);
          continue;
        }
        throw new StartupCheckError(
          `the worker cannot stream results to the coordinator (PutLogits): ${message}` +
            (/PERMISSION_DENIED|UNAUTHENTICATED/.test(message)
              ? '. A worker needs a token of role worker (`chorus token create --role worker`), given with --token-file or CHORUS_TOKEN'
              : ''),
          { cause: err },
        );
      }
    }
  } finally {
    plane.close();
  }
}
