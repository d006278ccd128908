/** Slot scaling: the four-member job with 1 slot, then 2 slots, each in its own process. */
import { cpus } from 'node:os';
import { figure, type Benchmark } from './benchResults.ts';
import { runTsChild } from './runChild.ts';
import type { SlotScalingChildResult } from './slotScalingChild.ts';

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
    ],
    details: { runs },
  };
};
