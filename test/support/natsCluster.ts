import { createServer } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ChorusError } from '../../core/errors.ts';
import { startNatsServer, type NatsServer } from './natsServer.ts';

/**
 * Three (or `size`) real nats-servers clustered on loopback with JetStream on, each on a random client
 * port with its own store, for replication and failover tests. Route ports must be known before any
 * server starts (each lists the others), so they are probed free first; a clash is retried.
 */
export interface NatsCluster {
  readonly servers: readonly NatsServer[];
  /** Every server's client URL, as a comma-separated `--nats` value takes them. */
  readonly urls: string[];
  /** Resolves once JetStream answers through `server` (its meta leader is elected). */
  waitForJetStream(server?: NatsServer, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const CLUSTER_NAME = 'chorus-test';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForJetStream(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const nc = await connect({ servers: url, reconnect: false }).catch((err: unknown) => {
      last = err;
      return undefined;
    });
    if (nc) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2000 });
        await jsm.getAccountInfo();
        return;
      } catch (err) {
        last = err;
      } finally {
        await nc.close();
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new ChorusError(`JetStream did not answer at ${url} within ${timeoutMs} ms: ${String(last)}`);
}

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  for (let attempt = 1; ; attempt++) {
    const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
    const servers: NatsServer[] = [];
    try {
      // Started together: each waits for "Server is ready", which comes before the routes connect.
      for (const [i, port] of routePorts.entries()) {
        servers.push(
          await startNatsServer({
            config: [
              `server_name: n${i + 1}`,
              `cluster { name: ${CLUSTER_NAME}, listen: "127.0.0.1:${port}", routes: [${routePorts
                .filter((p) => p !== port)
                .map((p) => `"nats-route://127.0.0.1:${p}"`)
                .join(', ')}] }`,
            ],
          }),
        );
      }
      const urls = servers.map((s) => s.url);
      await waitForJetStream(urls[0] ?? '', 30_000);
      return {
        servers,
        urls,
        waitForJetStream: (server = servers[0], timeoutMs = 30_000) =>
          waitForJetStream(server?.url ?? '', timeoutMs),
        stop: async () => {
          await Promise.all(servers.map((s) => s.stop()));
        },
      };
    } catch (err) {
      await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
      if (attempt >= 3) throw err;
    }
  }
}
