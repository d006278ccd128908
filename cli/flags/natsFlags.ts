import { Option, type Command } from 'commander';
import type { NatsClientSecurity } from '../../cluster/nats/natsClientSecurity.ts';
import { redactNatsUrl } from '../../cluster/nats/natsConnectOptions.ts';
import { ENV } from '../env.ts';
import { DEFAULTS, envOrUndefined, fromEnv, serversOf } from '../options.ts';

/** The NATS login and TLS flags of `chorus coordinator` and `chorus worker` (defaults from cli/env.ts). */
export interface NatsSecurityFlags {
  natsUser?: string;
  natsPasswordFile?: string;
  natsNkeyFile?: string;
  natsTlsCa?: string;
  natsTlsCert?: string;
  natsTlsKey?: string;
}

/** Every NATS flag: servers, prefix, login and TLS. */
export interface NatsFlags extends NatsSecurityFlags {
  nats: string;
  natsPrefix: string;
}

/** `--nats`; its help shows the default without the password a URL from the environment may carry. */
function natsUrlOption(): Option {
  const urls = fromEnv('natsUrl', DEFAULTS.natsUrl);
  return new Option(
    '--nats <urls>',
    'NATS server URL(s), comma-separated; nats://user:password@host:port',
  ).default(urls, serversOf(urls).map(redactNatsUrl).join(','));
}

/** `--nats-prefix`, also used alone by `chorus nats-permissions`. */
export function natsPrefixOption(cmd: Command): Command {
  return cmd.option(
    '--nats-prefix <prefix>',
    'prefix of every NATS stream, bucket and subject',
    fromEnv('natsPrefix', DEFAULTS.natsPrefix),
  );
}

/** Adds every NATS flag (NatsFlags) to a command. */
export function natsOptions(cmd: Command): Command {
  return natsPrefixOption(cmd.addOption(natsUrlOption()))
    .option('--nats-user <name>', `NATS user (${ENV.natsUser})`, envOrUndefined('natsUser'))
    .option(
      '--nats-password-file <file>',
      `file holding the NATS password (${ENV.natsPasswordFile}; else the password itself from ${ENV.natsPassword})`,
      envOrUndefined('natsPasswordFile'),
    )
    .option(
      '--nats-nkey-file <file>',
      `file holding an nkey user seed, to log in to NATS without a password (${ENV.natsNkeyFile})`,
      envOrUndefined('natsNkeyFile'),
    )
    .option(
      '--nats-tls-ca <file>',
      `CA bundle (PEM) that signed the NATS server's certificate; requires TLS (${ENV.natsTlsCa})`,
      envOrUndefined('natsTlsCa'),
    )
    .option(
      '--nats-tls-cert <file>',
      `client certificate (PEM), for a NATS server that verifies clients (${ENV.natsTlsCert})`,
      envOrUndefined('natsTlsCert'),
    )
    .option(
      '--nats-tls-key <file>',
      `private key of --nats-tls-cert (PEM) (${ENV.natsTlsKey})`,
      envOrUndefined('natsTlsKey'),
    );
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
