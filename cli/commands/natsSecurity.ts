import type { NatsClientSecurity } from '../../cluster/nats/natsClientSecurity.ts';
import { ENV } from '../env.ts';

/** The NATS login and TLS flags of `chorus coordinator` and `chorus worker` (defaults from cli/env.ts). */
export interface NatsSecurityFlags {
  natsUser?: string;
  natsPasswordFile?: string;
  natsNkeyFile?: string;
  natsTlsCa?: string;
  natsTlsCert?: string;
  natsTlsKey?: string;
}

/**
 * Flags → what the NATS connections need. The password comes from `--nats-password-file` /
 * CHORUS_NATS_PASSWORD_FILE, else CHORUS_NATS_PASSWORD; there is no `--nats-password` flag, so a
 * password never shows in `ps` or shell history. Files are read (and checked) when connecting.
 */
export function natsSecurityFrom(flags: NatsSecurityFlags): NatsClientSecurity {
  const password = process.env[ENV.natsPassword];
  const tls = {
    ...(flags.natsTlsCa !== undefined ? { caFile: flags.natsTlsCa } : {}),
    ...(flags.natsTlsCert !== undefined ? { certFile: flags.natsTlsCert } : {}),
    ...(flags.natsTlsKey !== undefined ? { keyFile: flags.natsTlsKey } : {}),
  };
  return {
    ...(flags.natsUser !== undefined ? { user: flags.natsUser } : {}),
    ...(flags.natsPasswordFile !== undefined
      ? { passwordFile: flags.natsPasswordFile }
      : password !== undefined && password !== ''
        ? { password }
        : {}),
    ...(flags.natsNkeyFile !== undefined ? { nkeySeedFile: flags.natsNkeyFile } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}
