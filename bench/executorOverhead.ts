/**
 * Executor harness overhead and dispatch latency: one MLP member trained by a bare script vs through a
 * 1-slot LocalPoolExecutor (each run in its own process), and the pool's task round trip vs bare piscina.
 * The two modes alternate over several pairs: on a shared machine one pair alone swings by 2× either way.
 */
import { median } from './aggregation.ts';
import { figure, type Benchmark, type Figure } from './benchResults.ts';
import type { BareResult, PoolResult } from './executorChild.ts';
import { runTsChild } from './runChild.ts';

export const executorOverhead: Benchmark = async ({ quick }) => {
  const pairs = quick ? 1 : 3;
  const common = quick ? ['--epochs', '1', '--dispatches', '10'] : ['--epochs', '4', '--dispatches', '30'];
  const title = 'Executor harness overhead (MLP 784-256-10 member, bundled MNIST, wasm)';
  const bares: BareResult[] = [];
  const pools: PoolResult[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    console.log(`  executor: pair ${pair + 1}/${pairs}: bare script, then LocalPoolExecutor with 1 slot`);
    const bare = await runTsChild<BareResult>('./executorChild.ts', ['--mode', 'bare', ...common], {
      timeoutMs: 300_000,
    });
    const pool = await runTsChild<PoolResult>('./executorChild.ts', ['--mode', 'pool', ...common], {
      timeoutMs: 300_000,
    });
    if (!bare.ok || !bare.result || !pool.ok || !pool.result) {
      const why = [bare, pool]
        .map((o) => o.error)
        .filter((e) => e !== undefined)
        .join('; ');
      return { title, figures: [], details: { bares, pools }, skipped: `failed: ${why}` };
    }
    bares.push(bare.result);
    pools.push(pool.result);
  }
  const rate = (runs: readonly (BareResult | PoolResult)[], key: 'wallSeconds' | 'loopSeconds') =>
    median(runs.map((r) => r.samples / r[key]));
  const pairRatios = pools.map(
    (p, i) => p.samples / p.wallSeconds / (bares[i]!.samples / bares[i]!.wallSeconds),
  );
  const figures: Figure[] = [
    figure({
      id: 'executor.train',
      group: title,
      label: 'training through LocalPoolExecutor (1 slot): samples ÷ task round trip',
      value: rate(pools, 'wallSeconds'),
      unit: 'samples/s',
      baseline: {
        label: 'bare script: samples ÷ (buildModel + trainLoop)',
        value: rate(bares, 'wallSeconds'),
      },
      higherIsBetter: true,
      note: `median of ${pairs} alternating runs each; per-pair ratios ${pairRatios.map((r) => r.toFixed(2)).join(', ')}`,
    }),
    figure({
      id: 'executor.loop',
      group: title,
      label: 'training loop inside the pool thread (trainLoop timing)',
      value: rate(pools, 'loopSeconds'),
      unit: 'samples/s',
      baseline: { label: 'bare script, trainLoop timing', value: rate(bares, 'loopSeconds') },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.train-cpu',
      group: title,
      label: 'training through LocalPoolExecutor, per CPU-second of the process',
      value: median(pools.map((p) => p.samples / p.cpuSeconds)),
      unit: 'samples/CPU-s',
      baseline: {
        label: 'bare script, per CPU-second',
        value: median(bares.map((b) => b.samples / b.cpuSeconds)),
      },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.dispatch',
      group: 'Dispatch latency (LocalPoolExecutor, warm thread, median round trip)',
      label: 'Chorus task that fails at once in its handler',
      value: median(pools.flatMap((p) => p.dispatchMs)),
      unit: 'ms',
      baseline: { label: 'no-op piscina task', value: median(pools.flatMap((p) => p.noopDispatchMs)) },
      higherIsBetter: false,
    }),
  ];
  return { title, figures, details: { bares, pools, pairRatios } };
};
