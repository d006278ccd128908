/**
 * Process vs thread isolation (issue 18) on wasm, measured in the same run: the four-member job with
 * 2 slots (job wall time), and the pool's start-up (pool created → every slot warm). Each measurement
 * is a fresh process; the two isolations take turns, the first of each round alternating, and the
 * figures are medians over the rounds.
 */
import { median } from './aggregation.ts';
import { figure, type Benchmark } from './benchResults.ts';
import type { IsolationJobResult, IsolationStartResult } from './isolationChild.ts';
import { runTsChild } from './runChild.ts';

const SLOTS = 2;
type Isolation = 'thread' | 'process';

/** `rounds` rounds of both isolations, thread first in even rounds and process first in odd ones. */
async function alternating<T>(
  rounds: number,
  what: string,
  measure: (isolation: Isolation) => Promise<T>,
): Promise<Record<Isolation, T[]>> {
  const out: Record<Isolation, T[]> = { thread: [], process: [] };
  for (let round = 0; round < rounds; round++) {
    const order: Isolation[] = round % 2 === 0 ? ['thread', 'process'] : ['process', 'thread'];
    for (const isolation of order) {
      console.log(`  isolation: ${what}, ${isolation} (round ${round + 1}/${rounds})`);
      out[isolation].push(await measure(isolation));
    }
  }
  return out;
}

async function child<T>(args: string[]): Promise<T> {
  const outcome = await runTsChild<T>('./isolationChild.ts', args, { timeoutMs: 600_000 });
  if (!outcome.ok || !outcome.result) throw new Error(`${args.join(' ')}: ${outcome.error ?? 'no result'}`);
  return outcome.result;
}

export const isolation: Benchmark = async ({ quick }) => {
  const title = `Pool isolation: child processes vs worker threads, ${SLOTS} slots, wasm`;
  const epochs = quick ? ['--epochs', '1'] : [];
  const jobs = await alternating(quick ? 1 : 3, 'the 4-member job', (i) =>
    child<IsolationJobResult>(['--mode', 'job', '--isolation', i, '--slots', String(SLOTS), ...epochs]),
  );
  const starts = await alternating(quick ? 1 : 5, 'pool start-up', (i) =>
    child<IsolationStartResult>(['--mode', 'start', '--isolation', i, '--slots', String(SLOTS)]),
  );
  const wall = (i: Isolation) => median(jobs[i].map((r) => r.wallSeconds));
  const ready = (i: Isolation) => median(starts[i].map((r) => r.readyMs));
  return {
    title,
    figures: [
      figure({
        id: 'isolation.job-time',
        group: title,
        label: `4-member job (bench/jobs/four-mlps.yaml), ${SLOTS} child processes: wall time`,
        value: wall('process'),
        unit: 's',
        baseline: { label: `the same job on ${SLOTS} worker threads`, value: wall('thread') },
        higherIsBetter: false,
      }),
      figure({
        id: 'isolation.start',
        group: title,
        label: `${SLOTS} child processes: pool created → every slot warm (wasm started)`,
        value: ready('process'),
        unit: 'ms',
        baseline: { label: `${SLOTS} worker threads`, value: ready('thread') },
        higherIsBetter: false,
      }),
    ],
    details: { slots: SLOTS, jobs, starts },
  };
};
