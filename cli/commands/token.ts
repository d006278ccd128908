import { readFileSync } from 'node:fs';
import { checkToken } from '../../cluster/grpc/authClient.ts';
import {
  generateToken,
  hashToken,
  tokenEntryLine,
  type TokenEntry,
  type TokenRole,
} from '../../cluster/grpc/authTokens.ts';

export interface TokenCreateFlags {
  role: TokenRole;
  name: string;
  json?: boolean;
}

/**
 * `chorus token create --role client --name alice`: a new random token on stdout (the only time it
 * is shown) and, on stderr, the entry to add to the coordinator's tokens file. The token is not kept.
 */
export function tokenCreateCommand(flags: TokenCreateFlags): void {
  const token = generateToken();
  const entry: TokenEntry = { name: flags.name, role: flags.role, sha256: hashToken(token) };
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
export function tokenHashCommand(): void {
  const token = checkToken(readFileSync(0, 'utf8').trim(), 'standard input');
  process.stdout.write(`${hashToken(token)}\n`);
}
