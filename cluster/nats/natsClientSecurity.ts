import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { nkeyAuthenticator, nkeys, type ConnectionOptions } from '@nats-io/transport-node';
import { NonRetryableError } from '../../core/errors.ts';
import { natsConnectOptions } from './natsConnectOptions.ts';

/** Client TLS for NATS, as PEM files (docs/security.md, "The NATS side"). */
export interface NatsTlsFiles {
  /** CA bundle to trust for the server's certificate; default: Node's public roots. */
  caFile?: string;
  /** This client's certificate, for a server that verifies clients (`verify: true`). */
  certFile?: string;
  keyFile?: string;
}

/**
 * How a chorus process logs in to NATS, besides credentials in the URLs: a user and password, or
 * an nkey, and TLS. It crosses to pool threads as it is: file paths, which each thread reads
 * itself, and a password in memory only when it came from the environment rather than a file.
 */
export interface NatsClientSecurity {
  user?: string;
  /** The password itself (CHORUS_NATS_PASSWORD); `passwordFile` wins when both are set. */
  password?: string;
  passwordFile?: string;
  /** A file holding an nkey user seed (`SU…`, as `nk -gen user` writes it). */
  nkeySeedFile?: string;
  /** TLS on (required of the server) with these files; any of them turns it on. */
  tls?: NatsTlsFiles;
}

/** What `connect()` gets: servers without credentials, and whichever login and TLS apply. */
export type NatsClientOptions = Pick<
  ConnectionOptions,
  'user' | 'pass' | 'token' | 'authenticator' | 'tls'
> & {
  servers: string[];
};

function readSecretFile(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NonRetryableError(
      `cannot read the ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`,
      { cause: err },
    );
  }
  // One line; the newline an editor or `echo` adds is not part of the secret. Never quote it.
  const value = text.replace(/[\r\n]+$/, '');
  if (value === '') throw new NonRetryableError(`the ${what} ${file} is empty`);
  if (/[\r\n]/.test(value)) throw new NonRetryableError(`the ${what} ${file} holds more than one line`);
  return value;
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NonRetryableError(
      `cannot read the ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`,
      { cause: err },
    );
  }
}

function checkCertificate(pem: string, file: string): void {
  try {
    new X509Certificate(pem);
  } catch (err) {
    throw new NonRetryableError(`${file} is not a PEM certificate: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Reads and checks the TLS files, so a wrong path or a mismatched key fails at start, file named. */
function readTls(files: NatsTlsFiles): NonNullable<ConnectionOptions['tls']> {
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new NonRetryableError('--nats-tls-cert and --nats-tls-key go together: give both or neither');
  }
  const ca = files.caFile !== undefined ? readPem(files.caFile, 'NATS TLS CA file') : undefined;
  const cert = files.certFile !== undefined ? readPem(files.certFile, 'NATS TLS certificate') : undefined;
  const key = files.keyFile !== undefined ? readPem(files.keyFile, 'NATS TLS key') : undefined;
  if (ca !== undefined) checkCertificate(ca, files.caFile ?? '');
  if (cert !== undefined) checkCertificate(cert, files.certFile ?? '');
  try {
    createSecureContext({
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
    });
  } catch (err) {
    // OpenSSL's reason ("key values mismatch"), never the key.
    throw new NonRetryableError(`the NATS TLS files cannot be used together: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
  };
}

function readNkeySeed(file: string): Uint8Array {
  const seed = new TextEncoder().encode(readSecretFile(file, 'nkey seed file').trim());
  let ok: boolean;
  try {
    // A user seed: `SU…`. Decoding checks its checksum too.
    ok = nkeys.fromSeed(seed).getPublicKey().startsWith('U');
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new NonRetryableError(
      `the nkey seed file ${file} does not hold an nkey user seed (one line starting with SU, as \`nk -gen user\` writes it)`,
    );
  }
  return seed;
}

/**
 * The connect options of a chorus process: the servers (credentials in `user:pass@` URLs still
 * work), at most one way to log in, and TLS. Files are read and checked here; errors name the flag
 * or the file, never a secret.
 */
export function natsClientOptions(
  servers: readonly string[],
  security: NatsClientSecurity = {},
): NatsClientOptions {
  const fromUrls = natsConnectOptions(servers);
  const urlLogin = fromUrls.user !== undefined || fromUrls.token !== undefined;
  const { user, password, passwordFile, nkeySeedFile, tls } = security;
  const hasPassword = passwordFile !== undefined || password !== undefined;
  if ((user !== undefined || nkeySeedFile !== undefined) && urlLogin) {
    throw new NonRetryableError(
      '--nats: the URL carries credentials and --nats-user or --nats-nkey-file is given too; use one of them',
    );
  }
  if (user !== undefined && nkeySeedFile !== undefined) {
    throw new NonRetryableError('--nats-user and --nats-nkey-file are two ways to log in: give one');
  }
  if (user !== undefined && !hasPassword) {
    throw new NonRetryableError(
      '--nats-user needs a password: --nats-password-file (CHORUS_NATS_PASSWORD_FILE) or CHORUS_NATS_PASSWORD',
    );
  }
  if (user === undefined && hasPassword) {
    throw new NonRetryableError(
      'a NATS password is given without a user: add --nats-user (CHORUS_NATS_USER)',
    );
  }
  if (user === '') throw new NonRetryableError('--nats-user is empty');

  const out: NatsClientOptions = { servers: fromUrls.servers };
  if (fromUrls.user !== undefined) Object.assign(out, { user: fromUrls.user, pass: fromUrls.pass });
  if (fromUrls.token !== undefined) out.token = fromUrls.token;
  if (user !== undefined) {
    out.user = user;
    out.pass =
      passwordFile !== undefined ? readSecretFile(passwordFile, 'NATS password file') : (password ?? '');
    if (out.pass === '') throw new NonRetryableError('the NATS password (CHORUS_NATS_PASSWORD) is empty');
  }
  if (nkeySeedFile !== undefined) out.authenticator = nkeyAuthenticator(readNkeySeed(nkeySeedFile));
  if (tls !== undefined) out.tls = readTls(tls);
  return out;
}

/** How the connection is protected, for a start-up log line: names and files, no secret. */
export function describeNatsSecurity(options: NatsClientOptions, security: NatsClientSecurity = {}): string {
  const login =
    options.user !== undefined
      ? `user "${options.user}" with a password${security.passwordFile !== undefined ? ` from ${security.passwordFile}` : ''}`
      : options.token !== undefined
        ? 'a token from the URL'
        : security.nkeySeedFile !== undefined
          ? `the nkey seed in ${security.nkeySeedFile}`
          : 'no credentials';
  const tls = security.tls;
  const how = tls
    ? `TLS${tls.caFile !== undefined ? ` trusting ${tls.caFile}` : ''}${tls.certFile !== undefined ? `, client certificate ${tls.certFile}` : ''}`
    : 'TLS only if the server requires it';
  return `${login}, ${how}`;
}
