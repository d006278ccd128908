import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ArtifactStore } from '../core/artifacts/artifactStore.ts';
import { NatsArtifactStore } from '../cluster/artifacts/natsArtifactStore.ts';
import { ObjectBucket } from '../cluster/artifacts/objectBucket.ts';
import { connectNats } from '../cluster/nats/connectNats.ts';
import { connectDataPlane, type DataPlaneConnection } from '../cluster/client/dataPlaneConnection.ts';
import { clientConnectOptions } from '../cluster/grpc/authClient.ts';
import type { ArtifactLocation } from './poolMessages.ts';
import { LogitForwardingStore } from './logitForwardingStore.ts';

/**
 * A distributed task's artifact store inside a pool thread: the NATS Object Store, with predictions
 * streamed to the coordinator. Connections are per thread (a NATS socket or gRPC channel cannot be
 * shared with the parent) and kept for the thread's later tasks. Loaded only by threads that need it
 * (threadArtifacts.ts), so an embedded run's threads never load the NATS and gRPC clients.
 */
const objectStores = new Map<string, Promise<{ nc: NatsConnection; bucket: ObjectBucket }>>();
const dataPlanes = new Map<string, DataPlaneConnection>();

export async function openNatsArtifactStore(
  location: Extract<ArtifactLocation, { kind: 'nats' }>,
  classes: number,
): Promise<ArtifactStore> {
  // Same servers, login and bucket: same connection (a worker's settings do not change while it runs).
  const key = JSON.stringify([
    location.servers,
    location.natsSecurity,
    location.inboxPrefix,
    location.bucket,
  ]);
  let opened = objectStores.get(key);
  if (!opened) {
    opened = (async () => {
      // Reconnect forever: a restarted nats-server must not fail a running task.
      const nc = await connectNats(location.servers, location.natsSecurity, {
        name: 'chorus-thread',
        ...(location.inboxPrefix !== undefined ? { inboxPrefix: location.inboxPrefix } : {}),
      });
      const bucket = new ObjectBucket(nc, jetstream(nc), await jetstreamManager(nc), location.bucket);
      return { nc, bucket };
    })();
    objectStores.set(key, opened);
    opened.catch(() => objectStores.delete(key));
  }
  const { bucket } = await opened;
  let plane = dataPlanes.get(location.coordinator);
  if (!plane) {
    plane = connectDataPlane(location.coordinator, clientConnectOptions(location.grpc));
    dataPlanes.set(location.coordinator, plane);
  }
  return new LogitForwardingStore(new NatsArtifactStore(bucket, location.prefix), plane, {
    jobId: location.jobId,
    taskId: location.taskId,
    dispatchId: location.dispatchId,
    classes,
  });
}
