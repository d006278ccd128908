import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { boundaryProblem, findCycle, folderOf, resolveImport } from '../../folderRules.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Relative specifiers of every static import, re-export and literal dynamic import in a file. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bfrom\s*'(\.{1,2}\/[^']+)'/g)) out.push(m[1] ?? '');
  for (const m of text.matchAll(/\bimport\s*\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) out.push(m[1] ?? '');
  for (const m of text.matchAll(/^\s*import\s+'(\.{1,2}\/[^']+)'/gm)) out.push(m[1] ?? '');
  return out;
}

/** Every source file of the repository (tracked and new), repository-relative. */
function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listed
    .split('\n')
    .filter((f) => /\.(ts|mjs|js)$/.test(f) && !f.startsWith('proto/generated/'))
    .filter((f) => folderOf(f) !== undefined);
}

test('no import crosses a folder line that folderRules.js forbids, and the folders have no cycle', () => {
  const edges = new Map<string, Set<string>>();
  const problems: string[] = [];
  const files = sourceFiles();
  assert.ok(files.length > 300, `found only ${files.length} source files`);
  for (const file of files) {
    const from = folderOf(file) ?? '';
    for (const specifier of importsOf(readFileSync(`${ROOT}${file}`, 'utf8'))) {
      const target = resolveImport(ROOT, file, specifier);
      if (target === undefined) continue;
      const problem = boundaryProblem(file, target);
      if (problem) problems.push(`${file}: ${problem}`);
      const to = folderOf(target);
      if (to !== undefined && to !== from) {
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)?.add(to);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.equal(findCycle(edges), undefined);
  // The edges the design depends on are there (the scan found the imports).
  assert.ok(edges.get('coordinator')?.has('cluster') && edges.get('worker')?.has('cluster'));
});

test('the folder-cycle check finds a cycle, however long', () => {
  const graph = (pairs: [string, string][]) => {
    const edges = new Map<string, Set<string>>();
    for (const [a, b] of pairs) edges.set(a, new Set([...(edges.get(a) ?? []), b]));
    return edges;
  };
  assert.equal(
    findCycle(
      graph([
        ['cli', 'core'],
        ['worker', 'core'],
        ['cli', 'worker'],
      ]),
    ),
    undefined,
  );
  assert.deepEqual(
    findCycle(
      graph([
        ['worker', 'cluster'],
        ['cluster', 'worker'],
      ]),
    ),
    ['worker', 'cluster', 'worker'],
  );
  const long = findCycle(
    graph([
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'b'],
    ]),
  );
  assert.deepEqual(long, ['b', 'c', 'd', 'b']);
});

test('the linter refuses a deliberately wrong import, naming the rule and the reason', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  const cases: [string, string, RegExp][] = [
    [
      'worker/zzWrong.ts',
      "import { EXIT } from '../cli/exitCodes.ts';\nexport const x = EXIT;\n",
      /worker\/ may not import cli\//,
    ],
    [
      'worker/distributed/zzWrong.ts',
      "import type { StateStore } from '../../coordinator/stateStore.ts';\nexport type S = StateStore;\n",
      /worker\/ may not import coordinator\//,
    ],
    [
      'coordinator/zzWrong.ts',
      "export const pool = await import('../worker/threadPool.ts');\n",
      /only through worker\/index\.ts/,
    ],
    [
      'observability/zzWrong.ts',
      "export { ChorusError } from '../core/errors.ts';\n",
      /observability\/ may not import core\//,
    ],
    ['cluster/zzWrong.ts', "import '../coordinator/planJob.ts';\n", /cluster\/ may not import coordinator\//],
  ];
  for (const [filePath, code, message] of cases) {
    const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
    const found = result?.messages.filter((m) => m.ruleId === 'chorus/folder-boundaries') ?? [];
    assert.equal(found.length, 1, `${filePath}: ${JSON.stringify(result?.messages)}`);
    assert.match(found[0]?.message ?? '', message);
  }
  // The same import from a folder allowed to make it passes.
  const [ok] = await eslint.lintText("import { EXIT } from './exitCodes.ts';\nexport const x = EXIT;\n", {
    filePath: `${ROOT}cli/zzRight.ts`,
  });
  assert.deepEqual(
    ok?.messages.filter((m) => m.ruleId === 'chorus/folder-boundaries'),
    [],
  );
});
