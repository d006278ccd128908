import { connect } from '@nats-io/transport-node';
import { startCoordinatorServer } from '../grpc/coordinatorServer.ts';
import type { JobEvent } from '../grpc/apiTypes.ts';
import { ensureResources } from '../nats/ensureResources.ts';
import type { NatsResourceOptions } from '../nats/natsResourceOptions.ts';
import { CoordinatorService } from './coordinatorService.ts';
import type { JobLimits } from './limits.ts';

export interface CoordinatorOptions {
  servers: string[];
  grpcHost: string;
  /** 0 picks a free port. */
  grpcPort: number;
  cacheDir: string;
  resources?: Partial<NatsResourceOptions>;
  limits?: Partial<JobLimits>;
  log?: (line: string) => void;
  onJobEvent?: (event: JobEvent) => void;
  onLogitBytes?: (bytes: number) => void;
}

export interface CoordinatorHandle {
  readonly grpcPort: number;
  readonly service: CoordinatorService;
  /** Connected to NATS and serving gRPC. */
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * `chorus coordinator`: creates or checks the NATS resources, resumes the jobs left running, and
 * serves the gRPC API and data plane.
 */
export async function startCoordinator(o: CoordinatorOptions): Promise<CoordinatorHandle> {
  const log = o.log ?? (() => {});
  const nc = await connect({ servers: o.servers, name: 'chorus-coordinator', maxReconnectAttempts: -1 });
  const resources = await ensureResources(nc, o.resources ?? {});
  for (const change of resources.changes) log(`nats: ${change}`);
  const service = new CoordinatorService({
    nc,
    resources,
    cacheDir: o.cacheDir,
    log,
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.onJobEvent ? { onJobEvent: o.onJobEvent } : {}),
    ...(o.onLogitBytes ? { onLogitBytes: o.onLogitBytes } : {}),
  });
  await service.start();
  const server = await startCoordinatorServer({
    host: o.grpcHost,
    port: o.grpcPort,
    handlers: service,
    onInternalError: (rpc, err) =>
      log(`${rpc}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  let serving = true;
  log(`coordinator ready: gRPC ${o.grpcHost}:${server.port}, NATS ${o.servers.join(',')}`);
  return {
    grpcPort: server.port,
    service,
    ready: () => serving && !nc.isClosed(),
    close: async () => {
      serving = false;
      await server.close();
      await service.stop();
      await nc.drain().catch(() => undefined);
    },
  };
}
