import { NonRetryableError } from '../../core/errors.ts';

/**
 * What nats.js `connect()` needs from `--nats` URLs: the servers without credentials, and the
 * credentials as options. nats.js ignores `user:pass@` in a server URL, yet Chorus accepts them
 * there (besides `--nats-user` and the other settings of natsClientSecurity.ts).
 */
export interface NatsConnectOptions {
  /** `scheme://host:port` (or `host:port` when the URL had no scheme): safe to log. */
  servers: string[];
  user?: string;
  pass?: string;
  /** A URL with a user and no password carries a token (`nats://s3cret@host`), as NATS clients read it. */
  token?: string;
}

/**
 * Splits URLs like `nats://user:pass@host:4222` into servers and credentials. Every URL that has
 * credentials must have the same ones: one connection logs in once, whichever server it reaches.
 * Errors name the URLs without their credentials.
 */
export function natsConnectOptions(urls: readonly string[]): NatsConnectOptions {
  if (urls.length === 0) throw new NonRetryableError('--nats: no NATS server URL given');
  const servers: string[] = [];
  let credentials: { user: string; pass: string | undefined } | undefined;
  let from: string | undefined;
  for (const raw of urls) {
    const url = parseNatsUrl(raw);
    const server = serverOf(raw, url);
    servers.push(server);
    if (url.username === '' && url.password === '') continue;
    const found = {
      user: decode(url.username),
      pass: url.password === '' ? undefined : decode(url.password),
    };
    if (credentials && (credentials.user !== found.user || credentials.pass !== found.pass)) {
      throw new NonRetryableError(
        `--nats: ${from} and ${server} carry different credentials; give every URL the same user and password`,
      );
    }
    credentials = found;
    from = server;
  }
  if (!credentials) return { servers };
  if (credentials.pass === undefined) return { servers, token: credentials.user };
  return { servers, user: credentials.user, pass: credentials.pass };
}

/** A NATS URL with any credentials replaced by `***`, for logs and error messages. */
export function redactNatsUrl(raw: string): string {
  let url: URL;
  try {
    url = parseNatsUrl(raw);
  } catch {
    // Not a URL: show nothing of it that could be a secret.
    return '<invalid NATS URL>';
  }
  return serverOf(raw, url, url.username !== '' || url.password !== '' ? '***@' : '');
}

function hasScheme(raw: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
}

function parseNatsUrl(raw: string): URL {
  const text = raw.trim();
  try {
    return new URL(hasScheme(text) ? text : `nats://${text}`);
  } catch {
    // The URL itself may hold a password: do not echo it.
    throw new NonRetryableError(
      `--nats: "${redactLoose(text)}" is not a NATS URL (expected nats://[user:password@]host:port)`,
    );
  }
}

function serverOf(raw: string, url: URL, userInfo = ''): string {
  const host = `${userInfo}${url.host}`;
  return hasScheme(raw.trim()) ? `${url.protocol}//${host}` : host;
}

/** Best effort for text that does not parse: drop everything up to the last `@`. */
function redactLoose(text: string): string {
  const at = text.lastIndexOf('@');
  return at < 0 ? text : `***@${text.slice(at + 1)}`;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
