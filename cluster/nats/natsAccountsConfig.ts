import {
  DEFAULT_WORKER_NAME,
  NATS_ACCOUNTS,
  workerAccountLinks,
  workerPermissions,
  type NatsPermissions,
} from './workerPermissions.ts';

/**
 * nats-server config text for Chorus's two accounts (docs/security.md, "The NATS side"): what
 * `chorus nats-permissions` prints and the shipped nats.conf files hold. Subjects are quoted: `$`
 * would otherwise start a config variable.
 */

export interface AccountsConfigOptions {
  prefix?: string;
  /** The worker name the workers' users get permissions for (default DEFAULT_WORKER_NAME). */
  workerName?: string;
  /** User entries of the Chorus account (the coordinator's), each a complete `{ … }`. */
  coordinatorUsers?: readonly string[];
  /**
   * Users of the workers' account: each login an entry left open (`{ user: …, password: …` or
   * `{ nkey: U…`), to which the permissions of its worker name (default `workerName`) and the closing
   * brace are added.
   */
  workers?: readonly { login: string; workerName?: string }[];
}

/** The users the printed config names, as config variables (the Kubernetes manifests set them). */
export const DEFAULT_COORDINATOR_USER =
  '{ user: $NATS_COORDINATOR_USER, password: $NATS_COORDINATOR_PASSWORD }';
export const DEFAULT_WORKER_LOGIN = '{ user: $NATS_WORKER_USER, password: $NATS_WORKER_PASSWORD';

const quote = (s: string) => JSON.stringify(s);

function block(pad: string, open: string, lines: readonly string[], close: string): string[] {
  return [`${pad}${open}`, ...lines, `${pad}${close}`];
}

/** The permissions as a `permissions: { … }` block, indented by `indent` spaces. */
export function permissionsConfig(permissions: NatsPermissions, indent = 0): string {
  const pad = ' '.repeat(indent);
  const list = (subjects: readonly string[]) => subjects.map((s) => `${pad}      ${quote(s)}`);
  return [
    `${pad}permissions: {`,
    ...block(
      `${pad}  `,
      'publish: {',
      block(`${pad}    `, 'allow: [', list(permissions.publish.allow), ']'),
      '}',
    ),
    ...block(
      `${pad}  `,
      'subscribe: {',
      block(`${pad}    `, 'allow: [', list(permissions.subscribe.allow), ']'),
      '}',
    ),
    `${pad}}`,
  ].join('\n');
}

/** The Chorus account's `exports: [ … ]`, indented by `indent` spaces. */
export function exportsConfig(prefix = 'chorus', indent = 0): string {
  const pad = ' '.repeat(indent);
  const links = workerAccountLinks(prefix);
  return block(
    pad,
    'exports: [',
    [
      ...links.services.map(
        (s) =>
          `${pad}  { service: ${quote(s.subject)}${s.responseType ? `, response_type: ${s.responseType}` : ''} }`,
      ),
      ...links.streams.map((s) => `${pad}  { stream: ${quote(s)} }`),
    ],
    ']',
  ).join('\n');
}

/** The workers' account's `imports: [ … ]`, indented by `indent` spaces. */
export function importsConfig(prefix = 'chorus', indent = 0): string {
  const pad = ' '.repeat(indent);
  const links = workerAccountLinks(prefix);
  const from = (kind: string, subject: string) =>
    `${pad}  { ${kind}: { account: ${NATS_ACCOUNTS.chorus}, subject: ${quote(subject)} } }`;
  return block(
    pad,
    'imports: [',
    [
      ...links.services.map((s) => from('service', s.subject)),
      ...links.streams.map((s) => from('stream', s)),
    ],
    ']',
  ).join('\n');
}

/** The whole `accounts { … }` block: the Chorus account with JetStream and its users, the workers' account. */
export function accountsConfig(options: AccountsConfigOptions = {}): string {
  const prefix = options.prefix ?? 'chorus';
  const defaultName = options.workerName ?? DEFAULT_WORKER_NAME;
  const coordinators = options.coordinatorUsers ?? [DEFAULT_COORDINATOR_USER];
  const workers = options.workers ?? [{ login: DEFAULT_WORKER_LOGIN }];
  const workerUsers = workers.flatMap((w) => [
    `      ${w.login}`,
    permissionsConfig(workerPermissions(prefix, w.workerName ?? defaultName), 8),
    '      }',
  ]);
  return [
    'accounts {',
    `  ${NATS_ACCOUNTS.chorus}: {`,
    '    jetstream: enabled',
    ...block(
      '    ',
      'users: [',
      coordinators.map((u) => `      ${u}`),
      ']',
    ),
    exportsConfig(prefix, 4),
    '  }',
    `  ${NATS_ACCOUNTS.workers}: {`,
    ...block('    ', 'users: [', workerUsers, ']'),
    importsConfig(prefix, 4),
    '  }',
    '}',
  ].join('\n');
}
