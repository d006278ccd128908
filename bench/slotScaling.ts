/**
 * Slot scaling: the four-member job with 1 slot, then 2 slots, each in its own process; and the
 * machine's own ceiling: one member trained by a bare script (no Chorus executor), alone and then as
 * two processes at once. If two bare trainings at once already take well over half the time of
 * two in a row, no executor can reach that ratio on this machine.
 */
import { cpus } from 'node:os';
import { median } from './aggregation.ts';
import { figure, type Benchmark, type Figure } from './benchResults.ts';
import type { BareResult } from './executorChild.ts';
import { runTsChild } from './runChild.ts';
import type { SlotScalingChildResult } from './slotScalingChild.ts';

interface CeilingRound {
  aloneSeconds: number;
  /** Wall time of two bare trainings started together, first start to last finish. */
  togetherSeconds: number;
}

const bare = (epochs: string[]) =>
  runTsChild<BareResult>('./executorChild.ts', ['--mode', 'bare', ...epochs], { timeoutMs: 300_000 });

/** Alone, then two at once, `rounds` times; each bare run times its own buildModel + trainLoop. */
async function bareCeiling(rounds: number, epochs: string[]): Promise<CeilingRound[]> {
  const out: CeilingRound[] = [];
  for (let round = 0; round < rounds; round++) {
    console.log(`  slot scaling: bare training alone, then two at once (round ${round + 1}/${rounds})`);
    const alone = await bare(epochs);
    const t0 = performance.now();
    const pair = await Promise.all([bare(epochs), bare(epochs)]);
    const spread = (performance.now() - t0) / 1000;
    if (!alone.ok || !alone.result || pair.some((p) => !p.ok || !p.result)) {
      throw new Error(`a bare training failed: ${[alone, ...pair].map((o) => o.error ?? 'ok').join('; ')}`);
    }
    // Process start-up differs between the two; the trainings' own times are what overlaps.
    const together = Math.max(...pair.map((p) => p.result!.wallSeconds));
    out.push({ aloneSeconds: alone.result.wallSeconds, togetherSeconds: Math.min(together, spread) });
  }
  return out;
}

export const slotScaling: Benchmark = async ({ quick }) => {
  const title = `Slot scaling: 4-member job (MLP 784-256-10, bundled MNIST, wasm) on ${cpus().length} cores`;
  const runs: Record<number, SlotScalingChildResult> = {};
  for (const slots of [1, 2]) {
    console.log(`  slot scaling: ${slots} slot(s)`);
    const outcome = await runTsChild<SlotScalingChildResult>(
      './slotScalingChild.ts',
      ['--slots', String(slots), ...(quick ? ['--epochs', '1'] : [])],
      { timeoutMs: 600_000 },
    );
    if (!outcome.ok || !outcome.result) {
      return {
        title,
        figures: [],
        details: { runs },
        skipped: `${slots} slot(s) failed: ${outcome.error ?? 'no result'}`,
      };
    }
    runs[slots] = outcome.result;
  }
  const one = runs[1]!;
  const two = runs[2]!;
  const epochs = quick ? ['--epochs', '1'] : ['--epochs', '4'];
  let ceiling: CeilingRound[] = [];
  let ceilingError: string | undefined;
  try {
    ceiling = await bareCeiling(quick ? 1 : 3, epochs);
  } catch (err) {
    ceilingError = String(err);
  }
  const ceilingFigure =
    ceiling.length === 0
      ? undefined
      : figure({
          id: 'slots.bare-ceiling',
          group: title,
          label:
            'machine ceiling: two bare tfjs trainings at once (two processes, no Chorus executor), wall time',
          value: median(ceiling.map((c) => c.togetherSeconds)),
          unit: 's',
          baseline: {
            label: 'the same two trainings one after the other (2 × one alone)',
            value: 2 * median(ceiling.map((c) => c.aloneSeconds)),
          },
          higherIsBetter: false,
        });
  const jobRatio = two.wallSeconds / one.wallSeconds;
  const ceilingFigures: Figure[] = ceilingFigure
    ? [
        ceilingFigure,
        // Issue 17: the job's own 2-slot/1-slot ratio within 5% of what the machine allows in the same run.
        figure({
          id: 'slots.vs-ceiling',
          group: title,
          label: "2 slots ÷ 1 slot on the job (ratio of wall times) against the machine's ceiling ratio",
          value: jobRatio,
          unit: '×',
          baseline: { label: 'the ceiling ratio, same run', value: ceilingFigure.ratio },
          higherIsBetter: false,
          targets: [{ on: 'ratio', bound: 1.05, source: 'issue 17' }],
        }),
      ]
    : [];
  return {
    title,
    figures: [
      figure({
        id: 'slots.job-time',
        group: title,
        label: 'whole job with 2 slots (runEmbedded wall time)',
        value: two.wallSeconds,
        unit: 's',
        baseline: { label: 'the same job with 1 slot', value: one.wallSeconds },
        higherIsBetter: false,
      }),
      figure({
        id: 'slots.cpu-time',
        group: title,
        label: 'CPU time of the whole job with 2 slots (process, every thread)',
        value: two.cpuSeconds,
        unit: 'CPU-s',
        baseline: { label: 'with 1 slot', value: one.cpuSeconds },
        higherIsBetter: false,
      }),
      figure({
        id: 'slots.cores-used',
        group: title,
        label: 'cores the 2-slot run got (process CPU time ÷ wall time)',
        value: two.cpuSeconds / two.wallSeconds,
        unit: 'cores',
        baseline: { label: 'cores the 1-slot run got', value: one.cpuSeconds / one.wallSeconds },
        higherIsBetter: true,
      }),
      ...ceilingFigures,
    ],
    details: { runs, ceiling, ...(ceilingError ? { ceilingError } : {}) },
  };
};
