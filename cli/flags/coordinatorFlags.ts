import { Option, type Command } from 'commander';
import { ENV } from '../env.ts';
import { DEFAULTS, envOrUndefined, fromEnv, hostPortListOption } from '../options.ts';
import { envBool } from './envValues.ts';

/** The TLS and token flags of every command that dials the coordinator (and of `chorus worker`). */
export interface ClientSecurityFlags {
  /** TLS trusting the public roots (implied by any of the files below). */
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
}

/** Where the coordinator is and how to reach it. */
export interface CoordinatorFlags extends ClientSecurityFlags {
  coordinator: string;
}

/** Adds `--coordinator` and the TLS and token flags (CoordinatorFlags) to a command (docs/security.md). */
export function coordinatorOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--coordinator <host:port>',
        'coordinator gRPC address; several, comma-separated, for a leader and its standbys',
      )
        .default(fromEnv('coordinator', DEFAULTS.coordinator))
        .argParser(hostPortListOption),
    )
    .option('--tls', `connect with TLS, trusting the public CAs (${ENV.tls})`, envBool('tls'))
    .option(
      '--tls-ca <file>',
      `CA bundle (PEM) that signed the coordinator's certificate; turns TLS on (${ENV.tlsCa})`,
      envOrUndefined('tlsCa'),
    )
    .option(
      '--tls-cert <file>',
      `client certificate (PEM), for a coordinator that requires mutual TLS (${ENV.tlsCert})`,
      envOrUndefined('tlsCert'),
    )
    .option('--tls-key <file>', `private key of --tls-cert (PEM) (${ENV.tlsKey})`, envOrUndefined('tlsKey'))
    .option(
      '--token-file <file>',
      `file holding the bearer token (${ENV.tokenFile}; else the token itself from ${ENV.token})`,
      envOrUndefined('tokenFile'),
    );
}
