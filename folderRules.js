// @ts-check
/**
 * Which top-level folder may import which: the one table behind the `chorus/folder-boundaries` lint
 * rule (eslint.config.js) and the folder-cycle test (test/architecture/folderRules.test.ts). Folders
 * are listed in the order data flows; each may import only folders below it, as each entry says.
 * A new import across a line is a design question, not a lint fix: change this table only with a
 * reason, in the same words as README's Development section.
 */

import { dirname, normalize, relative, resolve, sep } from 'node:path';

/**
 * @typedef {{ may: readonly string[], why: string, only?: Readonly<Record<string, readonly string[]>> }} FolderRule
 * `may`: folders (or `test/support`) this folder may import; `only`: for a folder in `may`, the only
 * files of it that may be imported.
 */

/** @type {Readonly<Record<string, FolderRule>>} */
export const FOLDER_RULES = {
  cli: {
    may: ['coordinator', 'worker', 'cluster', 'proto', 'observability', 'core'],
    why: 'the composition root: it wires every part together, and nothing imports it',
  },
  coordinator: {
    may: ['worker', 'cluster', 'proto', 'observability', 'core'],
    only: { worker: ['worker/index.ts'] },
    why: "schedules jobs; it reaches the thread pool only through worker/index.ts, the worker's public entry",
  },
  worker: {
    may: ['cluster', 'proto', 'observability', 'core'],
    why: 'runs tasks; it speaks to the coordinator only through the cluster layer, never its code',
  },
  cluster: {
    may: ['proto', 'observability', 'core'],
    why: 'what both sides of the wire speak: it knows neither side',
  },
  proto: {
    may: ['core'],
    why: 'the .proto files, their generated types and loader: nothing above them',
  },
  observability: {
    may: [],
    why: 'metrics server, readiness and default metrics: a leaf that knows nothing of Chorus',
  },
  core: {
    may: [],
    why: 'the ML domain: it knows no transport and no process',
  },
  results: {
    may: ['core'],
    why: 'the experiments behind docs/RESULTS.md read reports (core/report), never the coordinator',
  },
  bench: {
    may: ['coordinator', 'worker', 'cluster', 'proto', 'observability', 'core', 'test/support'],
    why: 'benchmarks drive the real parts; they share only the test-support harness with the tests',
  },
  'test/support': {
    may: ['cli', 'coordinator', 'worker', 'cluster', 'proto', 'observability', 'core'],
    why: 'the harness for processes and clusters, shared by tests and benchmarks: it imports no test',
  },
  test: {
    may: [
      'cli',
      'coordinator',
      'worker',
      'cluster',
      'proto',
      'observability',
      'core',
      'results',
      'bench',
      'test/support',
    ],
    why: 'tests may reach everything they test',
  },
};

/**
 * The folder a repository-relative path belongs to (`test/support` is a folder of its own), or undefined.
 * @param {string} path
 * @returns {string | undefined}
 */
export function folderOf(path) {
  const parts = path.split(/[\\/]/);
  if (parts[0] === 'test' && parts[1] === 'support') return 'test/support';
  return parts.length > 1 && parts[0] !== undefined && parts[0] in FOLDER_RULES ? parts[0] : undefined;
}

/**
 * Why importing `target` from `file` (both repository-relative) breaks the rules, or undefined when
 * it does not. Imports within a folder are always allowed.
 * @param {string} file
 * @param {string} target
 * @returns {string | undefined}
 */
export function boundaryProblem(file, target) {
  const from = folderOf(file);
  const to = folderOf(target);
  if (from === undefined || to === undefined || from === to) return undefined;
  const rule = FOLDER_RULES[from];
  if (rule === undefined) return undefined;
  if (!rule.may.includes(to)) {
    return `${from}/ may not import ${to}/ (${target}). ${from}/: ${rule.why}`;
  }
  const only = rule.only?.[to];
  if (only && !only.includes(target.split(sep).join('/'))) {
    return `${from}/ may import ${to}/ only through ${only.join(', ')}, not ${target}. ${from}/: ${rule.why}`;
  }
  return undefined;
}

/**
 * The repository-relative path a relative import specifier names, or undefined for a package.
 * @param {string} root absolute repository root
 * @param {string} file repository-relative importing file
 * @param {string} specifier
 */
export function resolveImport(root, file, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  return normalize(relative(root, resolve(root, dirname(file), specifier)))
    .split(sep)
    .join('/');
}

/**
 * The first cycle in a graph of folders (edges: folder → folders it imports), as a list of folders
 * from and back to one of them, or undefined when there is none.
 * @param {ReadonlyMap<string, ReadonlySet<string>>} edges
 * @returns {string[] | undefined}
 */
export function findCycle(edges) {
  /** @type {Map<string, 'open' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const path = [];
  /** @param {string} node @returns {string[] | undefined} */
  const visit = (node) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    if (state.get(node) === undefined) {
      const cycle = visit(node);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

/**
 * The `chorus/folder-boundaries` ESLint rule: every relative import (static, re-export, dynamic with a
 * literal) is checked against FOLDER_RULES.
 * @type {import('eslint').Rule.RuleModule}
 */
export const folderBoundariesRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports between top-level folders follow folderRules.js' },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const file = relative(root, context.filename).split(sep).join('/');
    /** @param {any} node @param {unknown} value */
    const check = (node, value) => {
      if (typeof value !== 'string') return;
      const target = resolveImport(root, file, value);
      if (target === undefined) return;
      const problem = boundaryProblem(file, target);
      if (problem) context.report({ node, message: problem });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};
