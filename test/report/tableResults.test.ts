import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { RegressionReport } from '../../core/report/regressionReport.ts';
import type { Report } from '../../core/report/report.ts';
import { regressionSection, tableClassificationSection } from '../../results/tableResults.ts';

/** The reports kept for docs/RESULTS.md: real runs, so the tables are checked on what users see. */
async function kept<R>(name: string): Promise<{ jobFile: string; title: string; report: R }> {
  const text = await readFile(new URL(`../../docs/results/${name}/report.json`, import.meta.url), 'utf8');
  return { jobFile: `examples/results/${name}.yaml`, title: name, report: JSON.parse(text) as R };
}

const row = (lines: readonly string[], label: string): string[] => {
  const line = lines.find((l) => l.startsWith(`| ${label} |`));
  assert.ok(line, `a row "${label}"`);
  return line
    .split('|')
    .slice(2, -1)
    .map((cell) => cell.trim());
};

test('the regression table: a column per seed and the mean ± sample sd over them', async () => {
  const seeds = await Promise.all(
    ['housing-s1', 'housing-s2', 'housing-s3'].map((n) => kept<RegressionReport>(n)),
  );
  const lines = regressionSection(seeds).join('\n').split('\n');
  const cells = row(lines, 'mixture NLL − mean member NLL');
  const gains = seeds.map((s) => s.report.ensemble.mean!.nll! - s.report.meanMember.nll!);
  assert.deepEqual(
    cells.slice(0, 3),
    gains.map((g) => g.toFixed(3)),
  );
  const mean = gains.reduce((a, b) => a + b, 0) / 3;
  const sd = Math.sqrt(gains.reduce((a, g) => a + (g - mean) ** 2, 0) / 2);
  assert.equal(cells[3], `${mean.toFixed(3)} ± ${sd.toFixed(3)}`);
  assert.deepEqual(regressionSection([]), [], 'no regression experiment, no section');
  assert.match(regressionSection(seeds.slice(0, 1)).join('\n'), /for 1 seed \(/);
});

test('the tabular classification table: accuracies in percent, out-of-fold beside validation stacking', async () => {
  const seeds = await Promise.all(['breast-cancer-s1', 'breast-cancer-s2'].map((n) => kept<Report>(n)));
  const lines = tableClassificationSection(seeds).join('\n').split('\n');
  const soft = row(lines, 'soft vote accuracy');
  assert.deepEqual(
    soft.slice(0, 2),
    seeds.map((s) => `${(s.report.ensemble.soft!.accuracy * 100).toFixed(2)}%`),
  );
  const oof = row(lines, 'stacking (out-of-fold) NLL');
  assert.equal(oof[0], seeds[0]!.report.ensemble.stacking!.outOfFold!.nll.toFixed(4));
});
