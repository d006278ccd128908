import type { Report, StudentReport } from '../core/report/report.ts';
import { escapeMd, markdownTable, NONE } from './formatResults.ts';
import type { ResultsExperiment } from './renderResults.ts';

/**
 * Experiments repeated over seeds: job names `<group>-s<seed>` form one group, and their headline
 * figures are given as the mean over the seeds with the spread (sample standard deviation, min–max),
 * next to the published reference they aim at.
 */

export interface SeedGroup {
  name: string;
  experiments: ResultsExperiment[];
}

const SEEDED = /^(.+)-s(\d+)$/;

/** The groups, in the order their first experiment comes (one seed is a group too, while the others run). */
export function seedGroups(experiments: readonly ResultsExperiment[]): SeedGroup[] {
  const groups = new Map<string, ResultsExperiment[]>();
  for (const e of experiments) {
    const match = SEEDED.exec(e.report.job);
    if (!match) continue;
    const list = groups.get(match[1]!) ?? [];
    list.push(e);
    groups.set(match[1]!, list);
  }
  return [...groups]
    .filter(([, list]) => list.length >= 2)
    .map(([name, list]) => ({ name, experiments: list }));
}

export interface Spread {
  mean: number;
  sd: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return {
    mean,
    sd: Math.sqrt(variance),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

/** A target: `at least` for accuracy, `at most` for NLL and ECE. */
interface Target {
  value: number;
  higherIsBetter: boolean;
}

interface Row {
  label: string;
  values: number[];
  unit: Unit;
  published?: number;
  target?: Target;
}

const distilledBy = (r: Report, mode: 'online' | 'offline'): StudentReport[] =>
  r.students.filter((s) => s.kind === 'distilled' && (s.teacherTargets ?? 'offline') === mode);
const baselineOf = (r: Report): StudentReport | undefined => r.students.find((s) => s.kind === 'baseline');
const defined = (values: (number | undefined)[]): number[] =>
  values.filter((v): v is number => v !== undefined);

function rows(reports: readonly Report[]): Row[] {
  const out: Row[] = [
    {
      label: 'one member: accuracy (mean member)',
      values: reports.map((r) => r.meanMember.accuracy),
      unit: 'percent',
      published: 0.91,
      target: { value: 0.91, higherIsBetter: true },
    },
    {
      label: 'one member: accuracy (best member)',
      values: reports.map((r) => bestAccuracy(r)),
      unit: 'percent',
    },
    {
      label: 'one member: NLL (mean member)',
      values: reports.map((r) => r.meanMember.nll),
      unit: 'plain',
      published: 0.321,
    },
    {
      label: `${reports[0]?.members.length ?? 0}-member soft vote: accuracy`,
      values: defined(reports.map((r) => r.ensemble.soft?.accuracy)),
      unit: 'percent',
      published: 0.932,
      target: { value: 0.932, higherIsBetter: true },
    },
    {
      label: 'soft vote: NLL (calibrated)',
      values: defined(reports.map((r) => r.ensemble.soft?.calibrated?.nll)),
      unit: 'plain',
      published: 0.2,
      target: { value: 0.2, higherIsBetter: false },
    },
    {
      label: 'soft vote: ECE (calibrated)',
      values: defined(reports.map((r) => r.ensemble.soft?.calibrated?.ece)),
      unit: 'plain',
      published: 0.01,
      target: { value: 0.01, higherIsBetter: false },
    },
    {
      label: 'soft vote: NLL, ECE (uncalibrated): NLL',
      values: defined(reports.map((r) => r.ensemble.soft?.nll)),
      unit: 'plain',
    },
    {
      label: 'soft vote: ECE (uncalibrated)',
      values: defined(reports.map((r) => r.ensemble.soft?.ece)),
      unit: 'plain',
    },
  ];
  for (const mode of ['online', 'offline'] as const) {
    const values = defined(reports.map((r) => distilledBy(r, mode)[0]?.accuracy));
    if (values.length > 0) {
      out.push({
        label: `distilled student (${mode} teacher): accuracy`,
        values,
        unit: 'percent',
        target: { value: 0.92, higherIsBetter: true },
      });
      out.push({
        label: `distilled student (${mode}) − baseline`,
        values: defined(
          reports.map((r) => {
            const s = distilledBy(r, mode)[0];
            const b = baselineOf(r);
            return s && b ? s.accuracy - b.accuracy : undefined;
          }),
        ),
        unit: 'points',
        target: { value: 0.01, higherIsBetter: true },
      });
    }
  }
  const baselines = defined(reports.map((r) => baselineOf(r)?.accuracy));
  if (baselines.length > 0) {
    out.push({
      label: 'baseline student (hard labels, same recipe): accuracy',
      values: baselines,
      unit: 'percent',
    });
  }
  return out.map((row) =>
    row.label.includes('NLL, ECE (uncalibrated): NLL')
      ? { ...row, label: 'soft vote: NLL (uncalibrated)' }
      : row,
  );
}

function bestAccuracy(r: Report): number {
  return Math.max(...r.members.map((m) => m.accuracy));
}

/** Accuracies as percentages, differences of accuracies in points, NLL and ECE as they are. */
type Unit = 'percent' | 'points' | 'plain';

function fmt(v: number, unit: Unit): string {
  if (unit === 'percent') return `${(v * 100).toFixed(2)}%`;
  if (unit === 'points') return `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(2)} points`;
  return v.toFixed(4);
}

function fmtSpread(s: Spread | undefined, unit: Unit): string {
  if (!s) return NONE;
  const sd = unit === 'plain' ? s.sd.toFixed(4) : (s.sd * 100).toFixed(2);
  return `${fmt(s.mean, unit)} ± ${sd} (${fmt(s.min, unit)} to ${fmt(s.max, unit)})`;
}

/** `met`, or by how much the mean misses the target. */
export function verdict(s: Spread | undefined, target: Target | undefined, unit: Unit): string {
  if (!s || !target) return '';
  const gap = target.higherIsBetter ? target.value - s.mean : s.mean - target.value;
  if (gap <= 0) return 'met';
  return `missed by ${unit === 'plain' ? gap.toFixed(4) : `${(gap * 100).toFixed(2)} points`}`;
}

/** The section of docs/RESULTS.md for every seed group. */
export function seedGroupSection(experiments: readonly ResultsExperiment[]): string[] {
  const groups = seedGroups(experiments);
  if (groups.length === 0) return [];
  const out = ['## Training recipes, over seeds', ''];
  for (const g of groups) {
    const reports = g.experiments.map((e) => e.report);
    const first = reports[0]!;
    const table = rows(reports).map((row) => {
      const s = spread(row.values);
      const target = row.target
        ? `${row.target.higherIsBetter ? '≥' : '≤'} ${fmt(row.target.value, row.unit)}`
        : '';
      return [
        escapeMd(row.label),
        row.published === undefined ? '' : fmt(row.published, row.unit),
        target,
        fmtSpread(s, row.unit),
        String(s?.n ?? 0),
        verdict(s, row.target, row.unit),
      ];
    });
    const params = [...new Set(first.members.map((m) => m.parameters).filter((p) => p !== undefined))];
    const studentParams = [
      ...new Set(first.students.map((s) => s.parameters).filter((p) => p !== undefined)),
    ];
    const walls = reports.map((r) => `${r.job} ${(r.timing.wallSeconds / 60).toFixed(0)} min`);
    out.push(
      `### ${escapeMd(g.name)} (${reports.length} seed${reports.length === 1 ? '' : 's'}: ${reports.map((r) => escapeMd(r.job)).join(', ')})`,
      '',
      markdownTable(
        ['figure', 'published', 'target', 'Chorus: mean ± sd (min to max)', 'seeds', 'target'],
        table,
      ),
      '',
      `Parameters: each member ${params.join(', ') || NONE}, the student ${studentParams.join(', ') || NONE}. ` +
        `Wall time of each job on this machine (members, ensemble, soft labels, students): ${walls.join('; ')}.`,
      '',
    );
  }
  return out;
}
