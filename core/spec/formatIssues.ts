import type { z } from 'zod';
import type { SpecIssue } from '../errors.ts';

/** `['members', 2, 'train', 'epochs']` → `members[2].train.epochs`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && PLAIN_KEY.test(part)) out += out ? `.${part}` : part;
    // An empty, odd or huge key (possible in an unknown key) is quoted, so the path still shows where.
    else out += `[${describeValue(typeof part === 'string' ? part : String(part))}]`;
  }
  return out;
}

const PLAIN_KEY = /^[A-Za-z0-9_$<][\w$.<-]{0,63}$/;

/** A short, readable rendering of the value a user wrote. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  // JSON.stringify would show NaN and ±Infinity (YAML .nan, .inf, 1e400) as "null", and throw on a bigint.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (value instanceof Uint8Array) return 'binary data';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'object':
      return 'an object (a mapping of keys to values)';
    case 'array':
      return 'a list';
    case 'int':
      return 'an integer';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

function bound(issue: {
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: boolean;
  origin?: string;
}): string {
  const limit = issue.minimum ?? issue.maximum;
  const isMin = issue.minimum !== undefined;
  if (issue.origin === 'array')
    return `a list with ${isMin ? 'at least' : 'at most'} ${String(limit)} item(s)`;
  if (issue.origin === 'string')
    return `a string of ${isMin ? 'at least' : 'at most'} ${String(limit)} character(s)`;
  const op = isMin ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  return `a number ${op} ${String(limit)}`;
}

/** Our field schemas phrase messages as "expected …"; zod's own messages are rephrased alike. */
function expectation(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected ')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${expectedType(issue.expected)}`;
    case 'too_small':
    case 'too_big':
      return `expected ${bound(issue)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`.replace(
        /^expected (.*, .*)$/,
        'expected one of $1',
      );
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options))
        return `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}`;
      return 'expected a different kind of value';
    }
    default:
      return issue.message;
  }
}

/**
 * Turns zod issues into `path: expected …, got …` lines. `root` is the raw input, used to show what
 * was actually written at each path (zod does not always carry it).
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root: unknown): SpecIssue[] {
  const out: SpecIssue[] = [];
  const seen = new Set<string>();
  const push = (issue: SpecIssue) => {
    // Two checks of one field can fail with the same wording: list the problem once.
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(issue);
  };
  const queue = [...issues];
  for (let issue = queue.shift(); issue !== undefined; issue = queue.shift()) {
    const branch = issue.code === 'invalid_union' ? matchedBranch(issue) : undefined;
    if (branch) {
      // The value had the type of exactly one option (a list for `number or list`): its own problem,
      // e.g. "at most 100 values", says more than "expected a number or a list".
      const at = issue.path;
      queue.unshift(...branch.map((sub) => ({ ...sub, path: [...at, ...sub.path] })));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        push({
          path: formatPath([...issue.path, key]),
          message: 'unknown key (check its spelling and place)',
        });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A record's key failed its schema (e.g. a class index): say what the key should be.
      const inner = issue.issues[0]?.message;
      const key = issue.path.at(-1);
      push({
        path: formatPath(issue.path),
        message: `${inner?.startsWith('expected ') ? inner : 'expected a different key'} as the key, got ${describeValue(typeof key === 'string' ? key : String(key))}`,
      });
      continue;
    }
    if (issue.code === 'custom') {
      push({ path: formatPath(issue.path), message: issue.message });
      continue;
    }
    const written = valueAt(root, issue.path);
    const got = written === undefined ? 'but it is missing' : `got ${describeValue(written)}`;
    push({ path: formatPath(issue.path), message: `${expectation(issue)}, ${got}` });
  }
  return out;
}

/**
 * The issues of the one union option whose type the value had (no type or literal mismatch at the
 * option's root), or undefined when none or several options come that close.
 */
function matchedBranch(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  const errors = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
  const close = errors.filter(
    (branch) =>
      branch.length > 0 &&
      !branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')),
  );
  return close.length === 1 ? close[0] : undefined;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}
