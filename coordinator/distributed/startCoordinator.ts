import type { NatsConnection } from '@nats-io/transport-node';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import { openServerSecurity, type ServerSecurityOptions } from '../grpc/authServer.ts';
import { startCoordinatorServer } from '../grpc/coordinatorServer.ts';
import type { JobEvent } from '../../cluster/api/apiTypes.ts';
import { connectNats } from '../../cluster/nats/connectNats.ts';
import { closeNatsWithin, settleWithin } from '../../cluster/nats/closeNats.ts';
import { ArtifactJanitor } from '../nats/artifactJanitor.ts';
import { COORDINATOR_DEFAULTS } from './coordinatorDefaults.ts';
import { checkCoordinatorNats } from './coordinatorStartupChecks.ts';
import {
  describeNatsSecurity,
  natsClientOptions,
  type NatsClientSecurity,
} from '../../cluster/nats/natsClientSecurity.ts';
import type { NatsResourceOptions } from '../../cluster/nats/natsResourceOptions.ts';
import { CoordinatorService } from './coordinatorService.ts';
import type { SchedulingOptions } from '../scheduling/schedulingOptions.ts';
import type { JobLimits } from './limits.ts';

export interface CoordinatorOptions {
  servers: string[];
  /** NATS login and TLS besides URL credentials (docs/security.md, "The NATS side"). */
  natsSecurity?: NatsClientSecurity;
  grpcHost: string;
  /** 0 picks a free port. */
  grpcPort: number;
  cacheDir: string;
  resources?: Partial<NatsResourceOptions>;
  limits?: Partial<JobLimits>;
  log?: (line: string) => void;
  onJobEvent?: (event: JobEvent, job: ResolvedJob | undefined) => void;
  onLogitBytes?: (bytes: number) => void;
  onRetry?: (jobId: string, taskId: string) => void;
  /** TLS and bearer tokens of the gRPC API (docs/security.md); default: neither, with a warning. */
  security?: ServerSecurityOptions;
  /** How jobs share the workers: preemption, aging (docs/distributed.md, "Sharing the cluster"). */
  scheduling?: Partial<SchedulingOptions>;
}

export interface CoordinatorHandle {
  readonly grpcPort: number;
  readonly service: CoordinatorService;
  readonly nc: NatsConnection;
  /** Connected to NATS and serving gRPC. */
  ready(): boolean;
  /** Stops serving and scheduling and closes NATS, within `budgetMs` (default COORDINATOR_DEFAULTS.shutdownSeconds) whether or not NATS answers. */
  close(budgetMs?: number): Promise<void>;
}

/**
 * `chorus coordinator`: creates or checks the NATS resources, resumes the jobs left running, and
 * serves the gRPC API and data plane.
 */
export async function startCoordinator(o: CoordinatorOptions): Promise<CoordinatorHandle> {
  const log = o.log ?? (() => {});
  // First: bad TLS or token files fail the start before anything connects.
  const security = await openServerSecurity(o.security ?? {}, log);
  // Credentials become connect options; only the bare servers are ever logged.
  const nats = natsClientOptions(o.servers, o.natsSecurity);
  const nc = await connectNats(o.servers, o.natsSecurity, { name: 'chorus-coordinator' });
  log(`NATS: ${describeNatsSecurity(nats, o.natsSecurity)}`);
  let resources;
  try {
    // A login that cannot manage the streams, or do the coordinator's work, stops it here, named.
    resources = await checkCoordinatorNats(nc, o.resources ?? {});
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw err;
  }
  for (const change of resources.changes) log(`nats: ${change}`);
  const janitor = new ArtifactJanitor({ resources, log });
  await janitor.start();
  const service = new CoordinatorService({
    nc,
    resources,
    cacheDir: o.cacheDir,
    log,
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.onJobEvent ? { onJobEvent: o.onJobEvent } : {}),
    ...(o.onLogitBytes ? { onLogitBytes: o.onLogitBytes } : {}),
    ...(o.onRetry ? { onRetry: o.onRetry } : {}),
    ...(o.scheduling ? { scheduling: o.scheduling } : {}),
    // Quotas come from the tokens file as it is now (it is re-read when it changes).
    ...(security.tokens ? { quotaOf: (client: string) => security.tokens?.byName(client)?.maxSlots } : {}),
  });
  const scheduling = { ...COORDINATOR_DEFAULTS.scheduling, ...o.scheduling };
  log(
    `scheduling: priority classes, fair share between jobs, aging every ${scheduling.agingSeconds} s, ` +
      `preemption ${scheduling.preempt ? 'on' : 'off'}${security.tokens ? ', client quotas from the tokens file' : ''}`,
  );
  await service.start();
  const server = await startCoordinatorServer({
    host: o.grpcHost,
    port: o.grpcPort,
    handlers: service,
    ...(security.credentials ? { credentials: security.credentials } : {}),
    ...(security.tokens ? { tokens: security.tokens, onRefused: security.onRefused } : {}),
    onInternalError: (rpc, err) =>
      log(`${rpc}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  let serving = true;
  log(`coordinator ready: gRPC ${o.grpcHost}:${server.port}, NATS ${nats.servers.join(',')}`);
  return {
    grpcPort: server.port,
    service,
    nc,
    ready: () => serving && !nc.isClosed(),
    close: async (budgetMs = COORDINATOR_DEFAULTS.shutdownSeconds * 1000) => {
      serving = false;
      const deadline = Date.now() + budgetMs;
      const left = (cap: number) => Math.min(cap, Math.max(0, deadline - Date.now()));
      // Calls in flight get a few seconds; jobs stop scheduling and stay `running` in KV, for the next
      // coordinator. Without NATS their last writes cannot finish: each step waits only its share.
      await server.close(left(5000));
      // The result consumer's pull in progress is let run out (up to 10 s, see ResultRouter): a result
      // the server put into an abandoned pull would wait a whole AckWait to come back.
      if (!(await settleWithin(service.stop(), left(budgetMs - 3000)))) {
        log(
          'shutdown: scheduling did not stop in time (is NATS reachable?); running jobs resume with the next coordinator',
        );
      }
      await settleWithin(janitor.stop(), left(1000));
      if (!(await closeNatsWithin(nc, left(budgetMs))))
        log('shutdown: NATS did not answer; connection closed');
      security.close();
    },
  };
}
