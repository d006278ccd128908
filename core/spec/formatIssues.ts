import type { z } from 'zod';
import type { SpecIssue } from '../errors.ts';

/** `['members', 2, 'train', 'epochs']` → `members[2].train.epochs`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** A short, readable rendering of the value a user wrote. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
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
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: 'unknown key (check its spelling and place)',
        });
      }
      continue;
    }
    if (issue.code === 'custom') {
      out.push({ path: formatPath(issue.path), message: issue.message });
      continue;
    }
    const written = valueAt(root, issue.path);
    const got = written === undefined ? 'but it is missing' : `got ${describeValue(written)}`;
    out.push({ path: formatPath(issue.path), message: `${expectation(issue)}, ${got}` });
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}
