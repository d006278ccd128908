/**
 * Executor harness overhead and dispatch latency: one MLP member trained by a bare script (with and
 * without the train task's checkpoints and save) vs through a 1-slot LocalPoolExecutor, each run in its
 * own process, and the pool's task round trip vs bare piscina. The modes take turns over several rounds:
 * on a shared machine a single run swings by 2× either way.
 */
import { median } from './aggregation.ts';
import { figure, type Benchmark, type Figure } from './benchResults.ts';
import type { BareResult, PoolResult } from './executorChild.ts';
import { runTsChild } from './runChild.ts';

type Run = BareResult | PoolResult;

export const executorOverhead: Benchmark = async ({ quick }) => {
  // The job's own 8 epochs, 8 rounds: with 4 epochs and 3 rounds the machine's noise (±20% between
  // identical bare runs) was larger than the 5% being measured. The order alternates from round to
  // round (bare, bare-io, pool, pool with every-epoch checkpoints; then the other way round), so a
  // drift in the machine's speed during a round favours neither side, and each round also gives a
  // ratio of its own. The job keeps its default runtime.checkpointSeconds; the fourth run shows what
  // a checkpoint after every epoch (checkpointSeconds: 0) costs.
  const rounds = quick ? 1 : 8;
  const common = quick ? ['--epochs', '1', '--dispatches', '10'] : ['--dispatches', '30'];
  const title = 'Executor harness overhead (MLP 784-256-10 member, bundled MNIST, wasm)';
  const bares: BareResult[] = [];
  const bareIos: BareResult[] = [];
  const pools: PoolResult[] = [];
  const poolsEveryEpoch: PoolResult[] = [];
  const runs = {
    bare: ['--mode', 'bare'],
    'bare-io': ['--mode', 'bare-io'],
    pool: ['--mode', 'pool'],
    'pool-every-epoch': ['--mode', 'pool', '--checkpoint-seconds', '0'],
  } as const;
  for (let round = 0; round < rounds; round++) {
    console.log(
      `  executor: round ${round + 1}/${rounds}: bare script, bare script with the task's I/O, executor, ` +
        'executor with a checkpoint every epoch',
    );
    const order = Object.keys(runs) as (keyof typeof runs)[];
    for (const name of round % 2 === 0 ? order : [...order].reverse()) {
      const outcome = await runTsChild<Run>('./executorChild.ts', [...runs[name], ...common], {
        timeoutMs: 300_000,
      });
      if (!outcome.ok || !outcome.result) {
        return {
          title,
          figures: [],
          details: { bares, bareIos, pools, poolsEveryEpoch },
          skipped: `${name} failed: ${outcome.error ?? 'no result'}`,
        };
      }
      const r = outcome.result;
      if (r.mode === 'pool') (name === 'pool' ? pools : poolsEveryEpoch).push(r);
      else (r.mode === 'bare' ? bares : bareIos).push(r);
    }
  }
  const rate = (runs: readonly Run[], seconds: (r: Run) => number | undefined) => {
    const rates = runs.flatMap((r) => {
      const s = seconds(r);
      return s === undefined || s <= 0 ? [] : [r.samples / s];
    });
    return rates.length === 0 ? null : median(rates);
  };
  const wall = (r: Run) => r.wallSeconds;
  const pairedRatios = pools.flatMap((pool, i) => {
    const bare = bares[i];
    return bare ? [pool.samples / pool.wallSeconds / (bare.samples / bare.wallSeconds)] : [];
  });
  const thread = (r: Run) => r.trainingThreadCpuSeconds;
  const figures: Figure[] = [
    figure({
      id: 'executor.train',
      group: title,
      label: 'training through LocalPoolExecutor (1 slot): samples ÷ task round trip',
      value: rate(pools, wall),
      unit: 'samples/s',
      baseline: { label: 'bare script: samples ÷ (buildModel + trainLoop)', value: rate(bares, wall) },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.train-paired',
      group: title,
      label: 'the same, round by round: median of (executor ÷ bare script) within each round',
      value: pairedRatios.length === 0 ? null : median(pairedRatios),
      unit: '×',
      baseline: { label: 'the bare script of the same round', value: 1 },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.train-every-epoch',
      group: title,
      label: 'training through LocalPoolExecutor with a checkpoint after every epoch (checkpointSeconds: 0)',
      value: rate(poolsEveryEpoch, wall),
      unit: 'samples/s',
      baseline: { label: 'bare script: samples ÷ (buildModel + trainLoop)', value: rate(bares, wall) },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.train-vs-io',
      group: title,
      label: 'the same, against a bare script doing the same checkpoints and save',
      value: rate(pools, wall),
      unit: 'samples/s',
      baseline: {
        label: "bare script with the task's checkpoints and model save",
        value: rate(bareIos, wall),
      },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.loop',
      group: title,
      label: 'training loop inside the pool thread (trainLoop timing)',
      value: rate(pools, (r) => r.loopSeconds),
      unit: 'samples/s',
      baseline: { label: 'bare script, trainLoop timing', value: rate(bares, (r) => r.loopSeconds) },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.train-cpu',
      group: title,
      label: 'training through LocalPoolExecutor, per CPU-second of the whole process',
      value: rate(pools, (r) => r.cpuSeconds),
      unit: 'samples/CPU-s',
      baseline: { label: 'bare script, per CPU-second', value: rate(bares, (r) => r.cpuSeconds) },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.train-thread-cpu',
      group: title,
      label: 'training through LocalPoolExecutor, per CPU-second of the training thread',
      value: rate(pools, thread),
      unit: 'samples/CPU-s',
      baseline: { label: 'bare script, per CPU-second of its main thread', value: rate(bares, thread) },
      higherIsBetter: true,
    }),
    figure({
      id: 'executor.dispatch',
      group: 'Dispatch latency (LocalPoolExecutor, warm thread, median round trip)',
      label: 'Chorus task that fails at once in its handler',
      value: median(pools.flatMap((p) => p.dispatchMs)),
      unit: 'ms',
      baseline: {
        label: 'no-op piscina task, interleaved',
        value: median(pools.flatMap((p) => p.noopDispatchMs)),
      },
      higherIsBetter: false,
    }),
  ];
  return { title, figures, details: { bares, bareIos, pools, poolsEveryEpoch } };
};
