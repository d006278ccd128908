import {
  checkToken,
  clientConnectOptions,
  readTokenFile,
  type ClientSecurity,
} from '../../cluster/grpc/authClient.ts';
import { ENV } from '../env.ts';
import { connectCoordinator, type CoordinatorConnection } from '../../cluster/client/coordinatorClient.ts';

/** The TLS and token flags of every command that dials the coordinator (and of `chorus worker`). */
export interface ClientSecurityFlags {
  /** TLS trusting the public roots (implied by any of the files below). */
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
}

/**
 * Flags (whose defaults come from the environment) → what the connection needs. The token comes from
 * `--token-file` / CHORUS_TOKEN_FILE, else CHORUS_TOKEN; there is no `--token` flag, so a token never
 * shows in `ps` or shell history.
 */
export function clientSecurityFrom(flags: ClientSecurityFlags): ClientSecurity {
  const files = {
    ...(flags.tlsCa !== undefined ? { caFile: flags.tlsCa } : {}),
    ...(flags.tlsCert !== undefined ? { certFile: flags.tlsCert } : {}),
    ...(flags.tlsKey !== undefined ? { keyFile: flags.tlsKey } : {}),
  };
  const tls = flags.tls === true || Object.keys(files).length > 0;
  const fromEnv = process.env[ENV.token];
  const token =
    flags.tokenFile !== undefined
      ? readTokenFile(flags.tokenFile)
      : fromEnv !== undefined && fromEnv !== ''
        ? checkToken(fromEnv.trim(), ENV.token)
        : undefined;
  return { ...(tls ? { tls: files } : {}), ...(token !== undefined ? { token } : {}) };
}

/** A coordinator client with the command's TLS and token settings; bad files fail here, before any call. */
export function connectFromFlags(
  flags: ClientSecurityFlags & { coordinator: string },
): CoordinatorConnection {
  return connectCoordinator(flags.coordinator, clientConnectOptions(clientSecurityFrom(flags)));
}
