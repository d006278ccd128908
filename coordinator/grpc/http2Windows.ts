import http2 from 'node:http2';

/**
 * HTTP/2 receive windows for the coordinator's gRPC server. Node's defaults (64 KiB per stream and
 * per connection) let a worker send only 64 KiB per round trip, which held logit streaming on loopback
 * to ~140 MB/s; with 16 MiB windows the same stream ran at ~290 MB/s (bench/logitStreaming.ts, 2 cores).
 * grpc-js has a client option for this (`grpc-node.flow_control_window`) but none for servers, so
 * `bindWithReceiveWindows` wraps Node's own `http2.createServer`/`createSecureServer` while grpc-js
 * binds: servers created then advertise the larger stream window in their settings and open the
 * larger connection window on every session. Only the amount of buffering changes, not the protocol;
 * memory per connection is still bounded by the message size limits.
 */

export const RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024;

type CreateServer = typeof http2.createServer;
type CreateSecureServer = typeof http2.createSecureServer;

let active = 0;
let windowBytes = RECEIVE_WINDOW_BYTES;
const originals: { plain: CreateServer; secure: CreateSecureServer } = {
  plain: http2.createServer,
  secure: http2.createSecureServer,
};

function withWindows<O extends http2.ServerOptions>(options: O | undefined): O {
  const base = (options ?? {}) as O;
  return { ...base, settings: { ...(base.settings ?? {}), initialWindowSize: windowBytes } };
}

function openConnectionWindow<S extends http2.Http2Server | http2.Http2SecureServer>(server: S): S {
  const size = windowBytes;
  server.on('session', (session: http2.ServerHttp2Session) => session.setLocalWindowSize(size));
  return server;
}

function install(): void {
  const plain = ((options?: http2.ServerOptions, listener?: Parameters<CreateServer>[1]) =>
    openConnectionWindow(originals.plain(withWindows(options), listener))) as CreateServer;
  const secure = ((options?: http2.SecureServerOptions, listener?: Parameters<CreateSecureServer>[1]) =>
    openConnectionWindow(originals.secure(withWindows(options), listener))) as CreateSecureServer;
  http2.createServer = plain;
  http2.createSecureServer = secure;
}

function uninstall(): void {
  http2.createServer = originals.plain;
  http2.createSecureServer = originals.secure;
}

/** Runs `bind` (a grpc-js `bindAsync`) so that the HTTP/2 servers it creates get `bytes` windows. */
export async function bindWithReceiveWindows<T>(
  bind: () => Promise<T>,
  bytes: number = RECEIVE_WINDOW_BYTES,
): Promise<T> {
  if (active === 0) install();
  active++;
  windowBytes = bytes;
  try {
    return await bind();
  } finally {
    active--;
    if (active === 0) uninstall();
  }
}
