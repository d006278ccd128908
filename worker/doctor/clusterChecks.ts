import type { ClientSecurity } from '../../cluster/grpc/authClient.ts';
import { closeNatsWithin } from '../../cluster/nats/closeNats.ts';
import { connectNats } from '../../cluster/nats/connectNats.ts';
import type { NatsClientSecurity } from '../../cluster/nats/natsClientSecurity.ts';
import { checkWorkerName } from '../../cluster/nats/natsNames.ts';
import { openResources } from '../../cluster/nats/openResources.ts';
import { workerInboxPrefix } from '../../cluster/nats/workerPermissions.ts';
import {
  checkWorkerNats,
  checkWorkerToken,
  explainWorkerLoginRefusal,
} from '../distributed/startupChecks.ts';

/** How long `chorus doctor` waits for NATS or the coordinator before calling it unreachable. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * The worker's own start-up checks (startupChecks.ts), run by `chorus doctor` without taking any
 * task: connect and log in to NATS, find the coordinator's streams and buckets, and probe each right a
 * worker of this name needs. Resolves with a one-line summary; rejects with what to fix.
 */
export async function checkNatsAsWorker(o: {
  servers: string[];
  security?: NatsClientSecurity;
  prefix: string;
  workerName: string;
}): Promise<string> {
  const name = checkWorkerName(o.workerName);
  const nc = await connectNats(o.servers, o.security, {
    name: `chorus-doctor-${name}`,
    inboxPrefix: workerInboxPrefix(o.prefix, name),
    maxReconnectAttempts: 0,
    timeout: CONNECT_TIMEOUT_MS,
  });
  try {
    const resources = await openResources(nc, { prefix: o.prefix }).catch((err: unknown) => {
      throw explainWorkerLoginRefusal(err, o.prefix, name);
    });
    await checkWorkerNats(nc, resources, { name, instance: `doctor-${process.pid}` });
    return `${o.servers.join(',')}: logged in; worker "${name}" may pull, ack, read jobs, publish results, write and read artifacts and its heartbeat (prefix ${o.prefix})`;
  } finally {
    await closeNatsWithin(nc, 2000);
  }
}

/** The coordinator takes this machine's gRPC token for streaming results (an empty PutLogits). */
export async function checkCoordinatorAsWorker(
  coordinator: string,
  grpc: ClientSecurity | undefined,
): Promise<string> {
  await checkWorkerToken(coordinator, grpc, () => undefined, AbortSignal.timeout(CONNECT_TIMEOUT_MS));
  return `${coordinator}: reachable; the token may stream results (PutLogits)`;
}
