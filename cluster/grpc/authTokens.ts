import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { NonRetryableError } from '../../core/errors.ts';
import { formatIssues } from '../../core/spec/formatIssues.ts';

/**
 * Bearer tokens of the gRPC API. The coordinator's tokens file lists each token's name, role and
 * SHA-256 — never the token — so the file (a ConfigMap, a repository) holds no secret:
 *
 * ```yaml
 * tokens:
 *   - { name: alice, role: client, sha256: 3f2a… }
 *   - { name: team-b, role: client, sha256: 7d04…, maxSlots: 4 }
 *   - { name: gpu-workers, role: worker, sha256: 9c1e… }
 * ```
 *
 * `maxSlots` (client tokens only) is that client's quota: its jobs together never hold more worker
 * slots at once (docs/distributed.md, "Sharing the cluster").
 */

/** `client`: submit, cancel and read jobs; `worker`: stream results (PutLogits) and nothing else. */
export const TOKEN_ROLES = ['client', 'worker'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Who a valid token belongs to (the name is for logs and messages; it is not a secret). */
export interface TokenIdentity {
  name: string;
  role: TokenRole;
  /** A client's quota: the most worker slots its jobs may hold at once; none when absent. */
  maxSlots?: number;
}

export interface TokenEntry extends TokenIdentity {
  /** Lowercase hex SHA-256 of the token's UTF-8 bytes. */
  sha256: string;
}

/** Prefix of generated tokens: tells a leaked token apart in logs and secret scanners. */
export const TOKEN_PREFIX = 'chorus_';

/** A new random token: 256 bits, base64url, prefixed. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** What the tokens file stores for `token`. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The tokens-file line for an entry, as `chorus token create` prints it. */
export function tokenEntryLine(entry: TokenEntry): string {
  const quota = entry.maxSlots !== undefined ? `, maxSlots: ${entry.maxSlots}` : '';
  return `  - { name: ${JSON.stringify(entry.name)}, role: ${entry.role}, sha256: ${entry.sha256}${quota} }`;
}

/** The largest quota a token may carry (a sanity bound, far above any cluster's slots). */
export const MAX_SLOTS_LIMIT = 100_000;
export const MAX_SLOTS_RULE = `a whole number of slots from 1 to ${MAX_SLOTS_LIMIT}`;

/** What a token's name may be (it shows in logs and PERMISSION_DENIED messages). */
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const TOKEN_NAME_RULE = '1-64 letters, digits, ".", "_", "@", "-", starting with a letter or digit';

const SHA256_MESSAGE =
  'expected the SHA-256 of the token as 64 hex digits (`chorus token create` prints it), not the token itself';

const tokensFileSchema = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        name: z.string().regex(TOKEN_NAME, `expected ${TOKEN_NAME_RULE}`),
        role: z.enum(TOKEN_ROLES),
        sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, SHA256_MESSAGE),
        maxSlots: z
          .number({ error: `expected ${MAX_SLOTS_RULE}` })
          .int({ error: `expected ${MAX_SLOTS_RULE}` })
          .min(1, { error: `expected ${MAX_SLOTS_RULE}` })
          .max(MAX_SLOTS_LIMIT, { error: `expected ${MAX_SLOTS_RULE}` })
          .optional(),
      }),
    )
    .min(1),
});

/**
 * Parses a tokens file (YAML or JSON). Errors name the file and the field, and never echo a
 * `sha256` value: a token pasted there by mistake must not reach a log.
 */
export function parseTokensFile(text: string, file: string): TokenEntry[] {
  const fail = (problems: string[]): never => {
    throw new NonRetryableError(`auth tokens file ${file}: ${problems.join('; ')}`);
  };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) fail(doc.errors.map((e) => `not valid YAML/JSON (${e.code})`));
  const raw: unknown = doc.toJS();
  const parsed = tokensFileSchema.safeParse(raw);
  if (!parsed.success) {
    fail(
      formatIssues(parsed.error.issues, raw).map((i) =>
        /(^|\.)sha256$/.test(i.path)
          ? `${i.path}: ${SHA256_MESSAGE}`
          : `${i.path || '(top level)'}: ${i.message}`,
      ),
    );
  }
  const entries = (parsed.data?.tokens ?? []).map((t) => ({ ...t, sha256: t.sha256.toLowerCase() }));
  const problems: string[] = [];
  const names = new Set<string>();
  const hashes = new Map<string, string>();
  entries.forEach((e, i) => {
    if (names.has(e.name)) problems.push(`tokens[${i}].name: "${e.name}" appears twice`);
    names.add(e.name);
    const other = hashes.get(e.sha256);
    if (other !== undefined) problems.push(`tokens[${i}].sha256: the same token as "${other}"`);
    hashes.set(e.sha256, e.name);
    if (e.maxSlots !== undefined && e.role !== 'client') {
      problems.push(`tokens[${i}].maxSlots: only a client token carries a quota (this one is a ${e.role})`);
    }
  });
  if (problems.length > 0) fail(problems);
  return entries;
}

/** The tokens a coordinator accepts; checks a presented token in constant time per entry. */
export class TokenTable {
  private readonly entries: readonly { identity: TokenIdentity; digest: Buffer }[];

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map((e) => ({
      identity: { name: e.name, role: e.role, ...(e.maxSlots !== undefined ? { maxSlots: e.maxSlots } : {}) },
      digest: Buffer.from(e.sha256, 'hex'),
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The identity of the token named `name` (names are unique), e.g. to read a client's quota now. */
  byName(name: string): TokenIdentity | undefined {
    return this.entries.find((e) => e.identity.name === name)?.identity;
  }

  /** The token's identity, or undefined. Compares digests (fixed length) against every entry. */
  verify(token: string): TokenIdentity | undefined {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: TokenIdentity | undefined;
    for (const e of this.entries) {
      // No early exit: the time taken does not depend on which entry matched.
      if (timingSafeEqual(digest, e.digest) && found === undefined) found = e.identity;
    }
    return found;
  }
}

/** Reads and parses a tokens file. */
export async function loadTokensFile(path: string): Promise<TokenTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NonRetryableError(
      `cannot read the auth tokens file ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`,
      { cause: err },
    );
  }
  return new TokenTable(parseTokensFile(text, path));
}
