/** Hard and soft voting over 10 members × 1,000,000 samples × 10 classes, elements/s. */
import type { AggregationChildResult } from './aggregationChild.ts';
import { figure, type Benchmark, type Figure } from './benchResults.ts';
import { runTsChild } from './runChild.ts';

/** The middle value: one slow repetition (another process's burst) should not decide the figure. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const aggregation: Benchmark = async ({ quick }) => {
  const samples = quick ? 100_000 : 1_000_000;
  console.log(`  aggregation: 10 members × ${samples} samples × 10 classes`);
  const outcome = await runTsChild<AggregationChildResult>(
    './aggregationChild.ts',
    ['--members', '10', '--samples', String(samples), '--classes', '10', '--reps', quick ? '2' : '3'],
    { timeoutMs: 300_000 },
  );
  const title = `Aggregation: 10 members × ${samples.toLocaleString('en-US')} samples × 10 classes`;
  if (!outcome.ok || !outcome.result) {
    return { title, figures: [], details: {}, skipped: `failed: ${outcome.error ?? 'no result'}` };
  }
  const r = outcome.result;
  const rate = (key: keyof AggregationChildResult['seconds']) => r.elements / median(r.seconds[key]);
  const figures: Figure[] = [
    figure({
      id: 'aggregate.hard',
      group: title,
      label: 'hard voting (hardVote: input checks, weighted float64 votes)',
      value: rate('chorusHard'),
      unit: 'elements/s',
      baseline: { label: 'naive JS loops (no checks)', value: rate('naiveHard') },
      higherIsBetter: true,
    }),
    figure({
      id: 'aggregate.soft',
      group: title,
      label: 'soft voting (softVote: probability checks, float64 weighted mean)',
      value: rate('chorusSoft'),
      unit: 'elements/s',
      baseline: { label: 'naive JS loops (no checks)', value: rate('naiveSoft') },
      higherIsBetter: true,
    }),
  ];
  return { title, figures, details: { ...r } };
};
