/**
 * How long a pool thread takes to be ready for a task (modules loaded, wasm backend started): with the
 * compiled thread entry against the TypeScript entry through tsx (what main did), each in a fresh
 * process started like `chorus`, taking turns over several rounds.
 */
import { median } from './aggregation.ts';
import { figure, type Benchmark } from './benchResults.ts';
import { runChild } from './runChild.ts';
import type { ThreadStartResult } from './threadStartMeasure.ts';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./threadStartChild.mjs', import.meta.url));

export const threadStart: Benchmark = async ({ quick }) => {
  const title = 'Pool thread start (one thread, wasm backend)';
  const rounds = quick ? 1 : 7;
  const runs: Record<'compiled' | 'typescript', ThreadStartResult[]> = { compiled: [], typescript: [] };
  // One unmeasured start first: it builds the compiled entry if the sources changed since the last build.
  const first = await runChild<ThreadStartResult>(process.execPath, [CHILD, '--compiled', '1'], {
    timeoutMs: 120_000,
  });
  if (!first.ok) return { title, figures: [], details: {}, skipped: `failed: ${first.error ?? 'no result'}` };
  for (let round = 0; round < rounds; round++) {
    console.log(`  thread start: round ${round + 1}/${rounds}`);
    const order = round % 2 === 0 ? [1, 0] : [0, 1];
    for (const compiled of order) {
      const outcome = await runChild<ThreadStartResult>(
        process.execPath,
        [CHILD, '--compiled', String(compiled)],
        { timeoutMs: 120_000 },
      );
      if (!outcome.ok || !outcome.result) {
        return { title, figures: [], details: { runs }, skipped: `failed: ${outcome.error ?? 'no result'}` };
      }
      runs[compiled ? 'compiled' : 'typescript'].push(outcome.result);
    }
  }
  const med = (which: keyof typeof runs, pick: (r: ThreadStartResult) => number) =>
    median(runs[which].map(pick));
  const baselineLabel = 'the TypeScript entry through tsx (as before)';
  return {
    title,
    figures: [
      figure({
        id: 'thread-start.ready',
        group: title,
        label: 'compiled thread entry: pool created → thread ready (modules, wasm backend, first matMul)',
        value: med('compiled', (r) => r.threadReadyMs),
        unit: 'ms',
        baseline: { label: baselineLabel, value: med('typescript', (r) => r.threadReadyMs) },
        higherIsBetter: false,
        targets: [{ on: 'value', bound: 300, source: 'issue 17' }],
      }),
      figure({
        id: 'thread-start.ready-cpu',
        group: title,
        label: 'the same, CPU time of the process (steadier than wall time on a shared machine)',
        value: med('compiled', (r) => r.threadReadyCpuMs),
        unit: 'CPU-ms',
        baseline: { label: baselineLabel, value: med('typescript', (r) => r.threadReadyCpuMs) },
        higherIsBetter: false,
      }),
      figure({
        id: 'thread-start.process-ready',
        group: title,
        label: 'a process started like `chorus`: process start → its pool thread ready',
        value: med('compiled', (r) => r.processReadyMs),
        unit: 'ms',
        baseline: { label: baselineLabel, value: med('typescript', (r) => r.processReadyMs) },
        higherIsBetter: false,
      }),
    ],
    details: { runs },
  };
};
