import { deriveSeed } from './random.ts';
import { bootstrapIndices } from './split.ts';

const BOOTSTRAP_SALT = 0xb007;

/**
 * The training rows of a bootstrap member (n draws with replacement from the training split, seeded by
 * the member), or undefined for a member that trains on every row. The train task samples with it and
 * the report finds the member's out-of-bag rows with it.
 */
export function bootstrapRows(
  member: { bootstrap: boolean; seed: number },
  n: number,
): Int32Array | undefined {
  return member.bootstrap ? bootstrapIndices(n, deriveSeed(member.seed, BOOTSTRAP_SALT)) : undefined;
}

/** The rows of [0, n) a bootstrap sample never drew, ascending. */
export function outOfBagRows(rows: Int32Array, n: number): Int32Array {
  const drawn = new Uint8Array(n);
  for (let i = 0; i < rows.length; i++) drawn[rows[i]!] = 1;
  const out: number[] = [];
  for (let r = 0; r < n; r++) if (drawn[r] === 0) out.push(r);
  return Int32Array.from(out);
}
