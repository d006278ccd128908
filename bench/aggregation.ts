/** Hard voting, soft voting and the mean of logits over 10 members × 1,000,000 samples × 10 classes, elements/s. */
import type { AggregationChildResult, AggregationTiming } from './aggregationChild.ts';
import { figure, type Benchmark, type Figure, type Target } from './benchResults.ts';
import { runTsChild } from './runChild.ts';

/** The middle value: one slow repetition (another process's burst) should not decide the figure. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Issue 17: at least 1e9 elements/s, and never slower than the naive loops beside them. */
const TARGETS: Target[] = [
  { on: 'value', bound: 1e9, source: 'issue 17' },
  { on: 'ratio', bound: 1, source: 'issue 17' },
];

const KINDS = [
  {
    key: 'hard',
    chorus: 'chorusHard',
    naive: 'naiveHard',
    label: 'hard voting (hardVote: finite check, weighted float64 votes)',
  },
  {
    key: 'soft',
    chorus: 'chorusSoft',
    naive: 'naiveSoft',
    label: 'soft voting (softVote: probability checks, float64 weighted mean)',
  },
  {
    key: 'mean-logits',
    chorus: 'chorusMean',
    naive: 'naiveMean',
    label: 'mean of logits (meanLogits: finite check, float64 weighted mean)',
  },
] as const satisfies readonly {
  key: string;
  chorus: AggregationTiming;
  naive: AggregationTiming;
  label: string;
}[];

export const aggregation: Benchmark = async ({ quick }) => {
  const samples = quick ? 100_000 : 1_000_000;
  console.log(`  aggregation: 10 members × ${samples} samples × 10 classes`);
  const outcome = await runTsChild<AggregationChildResult>(
    './aggregationChild.ts',
    ['--members', '10', '--samples', String(samples), '--classes', '10', '--reps', quick ? '2' : '5'],
    { timeoutMs: 300_000 },
  );
  const title = `Aggregation: 10 members × ${samples.toLocaleString('en-US')} samples × 10 classes`;
  if (!outcome.ok || !outcome.result) {
    return { title, figures: [], details: {}, skipped: `failed: ${outcome.error ?? 'no result'}` };
  }
  const r = outcome.result;
  const rate = (key: AggregationTiming) => r.elements / median(r.seconds[key]);
  const cpuRate = (key: AggregationTiming) => r.elements / median(r.cpuSeconds[key]);
  const figures: Figure[] = [];
  for (const kind of KINDS) {
    figures.push(
      figure({
        id: `aggregate.${kind.key}`,
        group: title,
        label: kind.label,
        value: rate(kind.chorus),
        unit: 'elements/s',
        baseline: { label: 'naive JS loops (no checks)', value: rate(kind.naive) },
        higherIsBetter: true,
        targets: TARGETS,
      }),
    );
  }
  for (const kind of KINDS) {
    figures.push(
      figure({
        id: `aggregate-cpu.${kind.key}`,
        group: `${title}, per CPU-second (single-threaded: steadier than wall time on a shared machine)`,
        label: kind.label,
        value: cpuRate(kind.chorus),
        unit: 'elements/CPU-s',
        baseline: { label: 'naive JS loops (no checks)', value: cpuRate(kind.naive) },
        higherIsBetter: true,
      }),
    );
  }
  return { title, figures, details: { ...r } };
};
