import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Readiness } from './readiness.ts';

/** Ports the processes serve /metrics, /healthz and /readyz on unless told otherwise (docs/operations.md). */
/**
 * The metrics port cannot be served (in use, not allowed). Its own class, not a Chorus error: this
 * folder is a leaf that imports nothing of Chorus; callers turn it into theirs.
 */
export class MetricsPortError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsPortError';
  }
}

export const DEFAULT_METRICS_PORTS = { coordinator: 9464, worker: 9465 } as const;

export interface MetricsServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Interface to listen on; default every interface (a pod's probes come from outside it). */
  host?: string;
  registry: Registry;
  /** Decides /readyz; default always ready. */
  isReady?: () => Readiness | Promise<Readiness>;
}

export interface MetricsServer {
  readonly port: number;
  /** `http://HOST:PORT` to reach it (loopback when it listens on every interface). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a process's metrics and health over plain HTTP (node:http):
 * - `/metrics`: the registry in Prometheus text format;
 * - `/healthz`: 200 as long as the event loop turns (the liveness probe);
 * - `/readyz`: 200 when `isReady` says so, else 503 with the reason (the readiness probe).
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const isReady = options.isReady ?? (() => ({ ready: true }) as const);
  const server = createServer((req, res) => {
    void handle(req, res, options.registry, isReady).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      else res.destroy();
    });
  });
  // Probes and scrapes are short: do not let a stuck client hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new MetricsPortError(
          err.code === 'EADDRINUSE'
            ? `the metrics port ${options.port} is already in use: choose another with --metrics-port`
            : `cannot serve metrics on port ${options.port}: ${err.message}`,
          { cause: err },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host =
    !options.host || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Scrapers keep connections alive; close them or `close` waits for their timeout.
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
  isReady: () => Readiness | Promise<Readiness>,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'method not allowed\n');
    return;
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  switch (path) {
    case '/metrics': {
      const body = await registry.metrics();
      send(res, 200, body, registry.contentType);
      return;
    }
    case '/healthz':
      send(res, 200, 'ok\n');
      return;
    case '/readyz': {
      const state = await isReady();
      if (state.ready) send(res, 200, 'ready\n');
      else send(res, 503, `not ready: ${state.reason}\n`);
      return;
    }
    default:
      send(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
