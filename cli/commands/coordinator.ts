import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCoordinator } from '../../coordinator/distributed/startCoordinator.ts';
import { logLine, parseHostPort, serversOf } from '../options.ts';

export interface CoordinatorFlags {
  nats: string;
  natsPrefix: string;
  grpc: string;
  metricsPort?: number;
  cache?: string;
}

/** `chorus coordinator`: runs until SIGTERM/SIGINT; jobs in flight resume with the next coordinator. */
export async function coordinatorCommand(flags: CoordinatorFlags): Promise<void> {
  const log = logLine('coordinator');
  const { host, port } = parseHostPort(flags.grpc);
  const handle = await startCoordinator({
    servers: serversOf(flags.nats),
    grpcHost: host,
    grpcPort: port,
    cacheDir: flags.cache ?? join(tmpdir(), 'chorus-coordinator'),
    resources: { prefix: flags.natsPrefix },
    log,
  });
  await waitForStopSignal(log);
  await handle.close();
}

/** Resolves on the first SIGTERM or SIGINT. */
export function waitForStopSignal(log: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: shutting down`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}
