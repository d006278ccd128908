import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { NatsConnectError } from '../errors.ts';
import { natsClientOptions, type NatsClientSecurity } from './natsClientSecurity.ts';

/** Options a caller may add; servers, credentials and TLS come from the URLs and `security`. */
export type NatsConnectExtras = Omit<
  ConnectionOptions,
  'servers' | 'user' | 'pass' | 'token' | 'authenticator' | 'tls'
>;

/**
 * Connects a chorus process (coordinator, worker, pool thread) to NATS, reconnecting forever once
 * connected. A first connection that fails is a NatsConnectError naming the servers without
 * credentials and saying, in plain words, which setting most likely causes it.
 */
export async function connectNats(
  servers: readonly string[],
  security: NatsClientSecurity | undefined,
  extras: NatsConnectExtras = {},
): Promise<NatsConnection> {
  const options = natsClientOptions(servers, security);
  try {
    // noAsyncTraces: nats.js otherwise builds two Error objects (stack captures) per request to decorate
    // a failure that rarely comes; under a burst of KV and JetStream requests they were a fifth of the
    // coordinator's busy time. A failed request still says what failed; only the caller's stack is lost.
    return await connect({ maxReconnectAttempts: -1, noAsyncTraces: true, ...extras, ...options });
  } catch (err) {
    throw new NatsConnectError(
      options.servers.join(','),
      explainNatsConnectFailure(err, options.tls !== undefined),
      { cause: err },
    );
  }
}

/** A nats.js or Node connection error, with a hint at the setting to check. */
export function explainNatsConnectFailure(err: unknown, tls: boolean): string {
  const e = err as (Error & { code?: unknown }) | undefined;
  const text = e?.message ?? String(err);
  const code = typeof e?.code === 'string' ? e.code : '';
  const all = `${e?.name ?? ''} ${code} ${text}`;
  const hint = ((): string | undefined => {
    if (
      /unable to verify|self[- ]signed|local issuer|UNABLE_TO_VERIFY|CERT_HAS_EXPIRED|not yet valid|ALTNAME|does not match/i.test(
        all,
      )
    ) {
      return "the NATS server's certificate is not trusted: --nats-tls-ca (CHORUS_NATS_TLS_CA) must name the CA that signed it, and the certificate must be valid and name this address";
    }
    if (/Authorization Violation|AuthorizationError|Authentication/i.test(all)) {
      return 'the NATS server refused these credentials: check --nats-user and its password, the nkey seed, or the user:password of the URL';
    }
    if (/does not support 'tls'|tls.*not available/i.test(all)) {
      return tls
        ? 'the NATS server does not offer TLS: drop the --nats-tls-* settings, or turn TLS on in its config'
        : 'the NATS server requires TLS this client cannot do';
    }
    if (tls && /timeout|ECONNRESET|socket hang up|closed/i.test(all)) {
      return 'the connection ended after the TLS handshake: if the server verifies client certificates, give --nats-tls-cert and --nats-tls-key signed by a CA it trusts';
    }
    return undefined;
  })();
  return hint ? `${text} (${hint})` : text;
}
