import {
  connectCoordinator,
  type CoordinatorConnection,
} from '../../cluster/client/coordinatorConnection.ts';
import {
  checkToken,
  clientConnectOptions,
  readTokenFile,
  type ClientSecurity,
} from '../../cluster/grpc/authClient.ts';
import { ENV } from '../env.ts';
import type { ClientSecurityFlags, CoordinatorFlags } from './coordinatorFlags.ts';

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
export function connectFromFlags(flags: CoordinatorFlags): CoordinatorConnection {
  return connectCoordinator(flags.coordinator, clientConnectOptions(clientSecurityFrom(flags)));
}

/** Runs `use` with a client of the command's coordinator, closing it afterwards. */
export async function withCoordinator<T>(
  flags: CoordinatorFlags,
  use: (client: CoordinatorConnection) => Promise<T>,
): Promise<T> {
  const client = connectFromFlags(flags);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}
