import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { NonRetryableError } from '../../core/errors.ts';
import { clientTlsCredentials, type ClientTlsFiles } from './authTls.ts';

/**
 * How a client proves itself to the coordinator: TLS (`tls` present: on, with these files) and a
 * bearer token. Crosses to worker threads as it is: file paths, and the token in memory only.
 */
export interface ClientSecurity {
  tls?: ClientTlsFiles;
  token?: string;
}

/** A token is sent as an HTTP/2 header value: one run of visible ASCII. */
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

/** Checks a token's shape; the message names where it came from, never its text. */
export function checkToken(token: string, from: string): string {
  if (!TOKEN_SHAPE.test(token)) {
    throw new NonRetryableError(
      `the token from ${from} is ${token === '' ? 'empty' : 'not a single word of printable ASCII characters'}`,
    );
  }
  return token;
}

/** Reads a token file: the token on one line (surrounding whitespace and a final newline are ignored). */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NonRetryableError(
      `cannot read the token file ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`,
      { cause: err },
    );
  }
  return checkToken(text.trim(), `the token file ${path}`);
}

/** Adds `authorization: Bearer <token>` to every call of a channel. */
export function bearerTokenInterceptor(token: string): grpc.Interceptor {
  const value = `Bearer ${token}`;
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', value);
        next(metadata, listener);
      },
    });
}

/** What `connectCoordinator` / `connectDataPlane` need for `security`. */
export function clientConnectOptions(security: ClientSecurity | undefined): {
  credentials?: grpc.ChannelCredentials;
  token?: string;
} {
  return {
    ...(security?.tls ? { credentials: clientTlsCredentials(security.tls) } : {}),
    ...(security?.token !== undefined ? { token: checkToken(security.token, 'the settings') } : {}),
  };
}

/**
 * A connection failure's details made readable: OpenSSL's error lines shortened to their reason, and
 * a hint at the TLS setting that most likely causes it.
 */
export function explainConnectFailure(details: string, secure: boolean): string {
  const text = details
    // grpc-js appends an empty "Resolution note:"; the hint goes last.
    .replace(/\.?\s*Resolution note:\s*$/, '')
    .replace(/(Error: )?[0-9A-F]+:error:[0-9A-F]+:SSL routines:\w*:([^:\n]+):[^\n]*\n?/g, 'TLS error: $2')
    .trim();
  const hint = ((): string | undefined => {
    if (/certificate required/i.test(text))
      return 'the coordinator requires a client certificate (mutual TLS): give --tls-cert and --tls-key';
    if (/unknown ca|bad certificate|certificate unknown/i.test(text))
      return "the coordinator refused this client's certificate: it must be signed by the coordinator's client CA";
    if (
      /unable to verify|self[- ]signed certificate|local issuer|certificate has expired|not yet valid|does not match/i.test(
        text,
      )
    )
      return "the coordinator's certificate is not trusted: --tls-ca (CHORUS_TLS_CA) must name the CA that signed it, and the certificate must be valid and name this address";
    if (secure && /wrong version number|packet length too long/i.test(text))
      return 'the coordinator does not speak TLS here: check its address, or drop the TLS flags';
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH/.test(text)) return undefined;
    if (/Failed to connect|socket hang up|ECONNRESET|closed/i.test(text)) {
      return secure
        ? 'the coordinator closed the TLS handshake: if it requires mutual TLS, give a client certificate its client CA signed (--tls-cert, --tls-key)'
        : 'the connection was closed at once: if the coordinator uses TLS, give --tls-ca (or --tls)';
    }
    return undefined;
  })();
  return hint ? `${text} (${hint})` : text;
}
