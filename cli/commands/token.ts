import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { NonRetryableError } from '../../core/errors.ts';
import {
  generateToken,
  hashToken,
  MAX_SLOTS_LIMIT,
  MAX_SLOTS_RULE,
  TOKEN_NAME,
  TOKEN_NAME_RULE,
  TOKEN_ROLES,
  tokenEntryLine,
  type TokenEntry,
  type TokenRole,
} from '../../cluster/grpc/authTokens.ts';

export interface TokenCreateFlags {
  role: TokenRole;
  name: string;
  json?: boolean;
  /** A client's quota: the most worker slots its jobs may hold at once. */
  maxSlots?: number;
}

/** `chorus token create|hash`: bearer tokens for the gRPC API (docs/security.md). */
export function tokenCommand(): Command {
  const token = new Command('token').description('bearer tokens for the gRPC API (docs/security.md)');
  token
    .command('create')
    .description("print a new random token and the entry to add to the coordinator's tokens file")
    .addOption(
      new Option('--role <role>', 'what the token may do').choices(TOKEN_ROLES).makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'who or what holds it (shown in logs)', tokenNameOption)
    .option(
      '--max-slots <n>',
      'client tokens: a quota, the most worker slots its jobs may hold at once (default: none)',
      maxSlotsOption,
    )
    .option('--json', 'print {name, role, sha256, token} as one JSON object')
    .action(tokenCreate);
  token
    .command('hash')
    .description('print the SHA-256 (the tokens-file entry) of a token read from standard input')
    .action(tokenHash);
  return token;
}

function maxSlotsOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > MAX_SLOTS_LIMIT) {
    throw new InvalidArgumentError(`expected ${MAX_SLOTS_RULE}`);
  }
  return n;
}

function tokenNameOption(value: string): string {
  if (!TOKEN_NAME.test(value)) throw new InvalidArgumentError(`expected ${TOKEN_NAME_RULE}`);
  return value;
}

/**
 * `chorus token create --role client --name alice`: a new random token on stdout (the only time it
 * is shown) and, on stderr, the entry to add to the coordinator's tokens file. The token is not kept.
 */
function tokenCreate(flags: TokenCreateFlags): void {
  if (flags.maxSlots !== undefined && flags.role !== 'client') {
    throw new NonRetryableError(
      `--max-slots: only a client token carries a quota, not a ${flags.role} token`,
    );
  }
  const token = generateToken();
  const entry: TokenEntry = {
    name: flags.name,
    role: flags.role,
    sha256: hashToken(token),
    ...(flags.maxSlots !== undefined ? { maxSlots: flags.maxSlots } : {}),
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...entry, token })}\n`);
    return;
  }
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    [
      `new ${flags.role} token for "${flags.name}" above (shown once: store it in a secret now).`,
      "Add this entry under `tokens:` in the coordinator's tokens file (--auth-tokens):",
      tokenEntryLine(entry),
      '',
    ].join('\n'),
  );
}

/**
 * `chorus token hash < token.txt`: the SHA-256 entry value of an existing token (read from stdin, so
 * it never appears in the command line).
 */
async function tokenHash(): Promise<void> {
  const { checkToken } = await import('../../cluster/grpc/authClient.ts');
  const token = checkToken(readFileSync(0, 'utf8').trim(), 'standard input');
  process.stdout.write(`${hashToken(token)}\n`);
}
