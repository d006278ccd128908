import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { RefusedCall } from './auth.ts';
import {
  serverTls,
  type CertificateInfo,
  type ServerTls,
  type ServerTlsFiles,
} from '../../cluster/grpc/authTls.ts';
import { TokensFile } from './authTokensFile.ts';

export interface ServerSecurityOptions {
  /** Serve TLS with these files (mutual TLS when `clientCaFile` is set). Default: plaintext. */
  tls?: ServerTlsFiles;
  /** Require bearer tokens listed in this file (authTokens.ts). Default: no authentication. */
  authTokensFile?: string;
  /** How often changed tokens/certificate files are noticed (default 5000 ms; 0 = never). */
  watchIntervalMs?: number;
}

/** What `startCoordinatorServer` takes, opened from the files, plus the watchers to stop. */
export interface ServerSecurity {
  credentials?: grpc.ServerCredentials;
  tokens?: TokensFile;
  /** Logs refused calls, at most a few lines per 10 s (a client retrying a bad token must not flood the log). */
  onRefused: (refused: RefusedCall) => void;
  close(): void;
}

const REFUSAL_WINDOW_MS = 10_000;
const REFUSALS_LOGGED_PER_WINDOW = 5;

function describeCertificate(c: CertificateInfo): string {
  return `${c.subject}${c.altNames ? ` (${c.altNames})` : ''}, valid until ${c.validTo.toISOString()}, SHA-256 ${c.fingerprint}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Opens the coordinator's TLS files and tokens file (any problem fails the start, naming the file)
 * and says in the log what is protected and what is not. Files are re-read when they change.
 */
export async function openServerSecurity(
  options: ServerSecurityOptions,
  log: (line: string) => void,
): Promise<ServerSecurity> {
  const watchIntervalMs = options.watchIntervalMs ?? 5000;
  let tls: ServerTls | undefined;
  if (options.tls) {
    tls = serverTls(options.tls, {
      watchIntervalMs,
      onReload: (c) => log(`gRPC TLS certificate reloaded: ${describeCertificate(c)}`),
      onReloadError: (err) =>
        log(`gRPC TLS files changed but were not reloaded (the old ones stay): ${message(err)}`),
    });
    log(`gRPC TLS on: ${describeCertificate(tls.certificate)}`);
    log(
      tls.mutual
        ? `gRPC mutual TLS on: clients need a certificate signed by ${options.tls.clientCaFile}`
        : 'gRPC mutual TLS off: clients are not asked for a certificate',
    );
    const days = (tls.certificate.validTo.getTime() - Date.now()) / 86_400_000;
    if (days < 14) log(`warning: the gRPC TLS certificate expires in ${Math.max(0, days).toFixed(1)} day(s)`);
  } else {
    log('warning: gRPC TLS is off: calls, data and any tokens cross the network in clear text');
  }

  let tokens: TokensFile | undefined;
  const path = options.authTokensFile;
  if (path !== undefined) {
    try {
      tokens = await TokensFile.open(path, {
        watchIntervalMs,
        onReload: (n) => log(`auth tokens file ${path} reloaded: ${n} token(s)`),
        onReloadError: (err) =>
          log(`auth tokens file changed but was not reloaded (the old tokens stay): ${message(err)}`),
      });
    } catch (err) {
      tls?.close();
      throw err;
    }
    log(`gRPC authentication on: ${tokens.size} token(s) from ${path}`);
    // grpc-js's `server_call` tracer prints every request's headers, the authorization header included.
    const trace = (process.env.GRPC_TRACE ?? '').split(',').map((t) => t.trim());
    if (trace.includes('all') || trace.includes('server_call')) {
      log('warning: GRPC_TRACE traces server calls: with GRPC_VERBOSITY=DEBUG, grpc-js logs bearer tokens');
    }
  } else {
    log(
      'warning: gRPC authentication is disabled: anyone who reaches the port can submit and cancel jobs (--auth-tokens)',
    );
  }

  let windowStart = 0;
  let inWindow = 0;
  const onRefused = (r: RefusedCall) => {
    const now = Date.now();
    if (now - windowStart > REFUSAL_WINDOW_MS) {
      if (inWindow > REFUSALS_LOGGED_PER_WINDOW) {
        log(`... and ${inWindow - REFUSALS_LOGGED_PER_WINDOW} more refused call(s)`);
      }
      windowStart = now;
      inWindow = 0;
    }
    inWindow++;
    if (inWindow <= REFUSALS_LOGGED_PER_WINDOW) {
      log(`refused ${r.rpc} from ${r.peer}: ${r.reason} (${status[r.code]})`);
    }
  };

  return {
    ...(tls ? { credentials: tls.credentials } : {}),
    ...(tokens ? { tokens } : {}),
    onRefused,
    close: () => {
      tls?.close();
      tokens?.close();
    },
  };
}
