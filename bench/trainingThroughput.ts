/**
 * Training and soft-label (inference) throughput on Fashion-MNIST: Chorus wasm, stock tfjs wasm, tfjs cpu
 * and PyTorch CPU, one child process per configuration, run one after another.
 */
import { fileURLToPath } from 'node:url';
import type { Benchmark, Figure, Target } from './benchResults.ts';
import { figure } from './benchResults.ts';
import { MODEL_LABELS, type BenchModel } from './benchModels.ts';
import { runTsChild, type ChildOutcome } from './runChild.ts';
import { notOneCore, runTorchChild, torchUnavailable } from './torchChild.ts';
import { ENGINE_LABELS, type Engine } from './startEngine.ts';
import type { TrainingChildResult } from './trainingChild.ts';
import type { InferenceMeasurement, TrainingMeasurement } from './measureThroughput.ts';

const TORCH_SCRIPT = fileURLToPath(new URL('./torch_train.py', import.meta.url));

type Column = Engine | 'torch';
const COLUMNS: readonly Column[] = ['chorus-wasm', 'stock-wasm', 'tfjs-cpu', 'torch'];
/** Every figure is compared with tfjs cpu: the backend tfjs falls back to, and the only one that always runs. */
const BASELINE: Column = 'tfjs-cpu';

interface Config {
  model: BenchModel;
  batch: number;
  /** Soft-label generation does not depend on the training batch size: measure it once per model. */
  infer: boolean;
}

const CONFIGS: readonly Config[] = [
  { model: 'mlp', batch: 128, infer: true },
  { model: 'mlp', batch: 512, infer: false },
  { model: 'cnn', batch: 128, infer: true },
];

type Measured = {
  train: TrainingMeasurement | { skipped: string };
  infer?: InferenceMeasurement | { skipped: string };
};

interface ConfigRun {
  model: BenchModel;
  batch: number;
  column: Column;
  outcome: ChildOutcome<Measured & Partial<TrainingChildResult>>;
}

export const trainingThroughput: Benchmark = async ({ quick }) => {
  const target = quick ? 0.5 : 3;
  const runs: ConfigRun[] = [];
  // Debian's python3-torch; never a requirement, so a missing one is recorded, not fatal.
  let torchSkipped = torchUnavailable();
  for (const config of CONFIGS) {
    for (const column of COLUMNS) {
      const args = ['--model', config.model, '--batch', String(config.batch), '--target', String(target)];
      // tfjs cpu trains the CNN at a few samples/s (tens of seconds per step): after its warm-up step, one
      // timed step is all the budget allows. Faster configurations take many steps to fill the target time.
      args.push('--min-steps', '1');
      if (config.infer) args.push('--infer');
      console.log(`  training: ${config.model} batch ${config.batch} on ${column}`);
      let outcome: ConfigRun['outcome'];
      if (quick && column === 'tfjs-cpu' && config.model === 'cnn') {
        // Over a minute per step (and ~10 s per inference batch): too slow for a smoke run.
        const skipped = 'not run with --quick (tfjs cpu takes over a minute per CNN training step)';
        outcome = { ok: true, result: { train: { skipped }, infer: { skipped } }, seconds: 0 };
      } else if (column === 'torch') {
        if (torchSkipped !== undefined) {
          outcome = { ok: true, result: { train: { skipped: torchSkipped } }, seconds: 0 };
        } else {
          outcome = await runTorchChild<Measured & { skipped?: string }>(TORCH_SCRIPT, args, {
            timeoutMs: 300_000,
          });
          const skipped = outcome.result && 'skipped' in outcome.result ? outcome.result.skipped : undefined;
          if (typeof skipped === 'string') {
            torchSkipped = skipped;
            console.log(`  PyTorch skipped: ${skipped}`);
            outcome = { ok: true, result: { train: { skipped } }, seconds: outcome.seconds };
          }
        }
      } else {
        outcome = await runTsChild<TrainingChildResult>('./trainingChild.ts', ['--engine', column, ...args], {
          timeoutMs: 300_000,
        });
      }
      if (!outcome.ok) console.log(`  failed: ${outcome.error}`);
      runs.push({ model: config.model, batch: config.batch, column, outcome });
    }
  }
  return {
    title: 'Training and soft-label generation throughput (Fashion-MNIST)',
    figures: toFigures(runs),
    details: { runs },
  };
};

/**
 * Issue 17's targets, on the wall-clock comparisons: inference on the MLP at least 0.7× PyTorch on one
 * core, MLP training at batch 512 at least 0.6×, and no model's inference slower than stock wasm.
 */
function targetsOf(id: string): Target[] | undefined {
  const issue = 'issue 17';
  if (id === 'infer.mlp-b128.chorus-vs-torch') return [{ on: 'ratio', bound: 0.7, source: issue }];
  if (id === 'train.mlp-b512.chorus-vs-torch') return [{ on: 'ratio', bound: 0.6, source: issue }];
  if (/^infer\.[^.]+\.chorus-vs-stock-wasm$/.test(id)) return [{ on: 'ratio', bound: 1, source: issue }];
  return undefined;
}

type Metric = 'samplesPerSecond' | 'samplesPerCpuSecond';
type Sample =
  | { samplesPerSecond: number; samplesPerCpuSecond?: number; seconds?: number; cpuSeconds?: number }
  | { skipped: string }
  | undefined;

function measuredValue(
  run: ConfigRun | undefined,
  pick: (m: Measured) => Sample,
  metric: Metric,
): { value: number | null; note?: string } {
  if (!run) return { value: null, note: 'not run' };
  if (!run.outcome.ok || !run.outcome.result) {
    return { value: null, note: `failed: ${run.outcome.error ?? 'no result'}` };
  }
  const m = pick(run.outcome.result);
  if (!m) return { value: null, note: 'not measured' };
  if ('skipped' in m) return { value: null, note: `skipped: ${m.skipped}` };
  if (run.column === 'torch') {
    // Both metrics go: a PyTorch run on more than one core is not the reference this page promises.
    const why = notOneCore({ seconds: m.seconds ?? 0, cpuSeconds: m.cpuSeconds ?? Infinity });
    if (why !== undefined) return { value: null, note: why };
  }
  return { value: m[metric] ?? null };
}

const METRICS: readonly { metric: Metric; suffix: string; unit: string; what: string }[] = [
  { metric: 'samplesPerSecond', suffix: '', unit: 'samples/s', what: '' },
  { metric: 'samplesPerCpuSecond', suffix: '-cpu', unit: 'samples/CPU-s', what: ' per CPU-second' },
];

/**
 * Figures per configuration and engine, against tfjs cpu; then Chorus against stock wasm and PyTorch.
 * Each twice: per wall-clock second (the issue's figure) and per CPU-second (steadier on a shared machine).
 */
function toFigures(runs: readonly ConfigRun[]): Figure[] {
  const figures: Figure[] = [];
  const find = (config: Config, column: Column) =>
    runs.find((r) => r.model === config.model && r.batch === config.batch && r.column === column);
  for (const { metric, suffix, unit, what } of METRICS) {
    for (const config of CONFIGS) {
      const key = `${config.model}-b${config.batch}`;
      const kinds = [
        {
          kind: 'train',
          title: `${MODEL_LABELS[config.model]}, Adam, batch ${config.batch}: training`,
          pick: (m: Measured): Sample => m.train,
        },
        ...(config.infer
          ? [
              {
                kind: 'infer',
                title: `${MODEL_LABELS[config.model]}: soft-label generation (inference, batch 1024)`,
                pick: (m: Measured): Sample => m.infer,
              },
            ]
          : []),
      ];
      for (const { kind, title, pick } of kinds) {
        const read = (column: Column) => measuredValue(find(config, column), pick, metric);
        const base = read(BASELINE);
        for (const column of COLUMNS) {
          const v = read(column);
          figures.push(
            figure({
              id: `${kind}${suffix}.${key}.${column}`,
              group: `${title}${what}`,
              label: ENGINE_LABELS[column],
              value: v.value,
              unit,
              baseline: { label: ENGINE_LABELS[BASELINE], value: base.value },
              higherIsBetter: true,
              ...(v.note ? { note: v.note } : {}),
            }),
          );
        }
        // What the Chorus kernels buy over stock wasm, and how far Chorus is from PyTorch on one thread.
        const chorus = read('chorus-wasm');
        for (const other of ['stock-wasm', 'torch'] as const) {
          const o = read(other);
          const id = `${kind}${suffix}.${key}.chorus-vs-${other}`;
          const targets = targetsOf(id);
          figures.push(
            figure({
              id,
              group: `Chorus wasm compared with stock tfjs wasm and PyTorch${what}`,
              label: `${title}: Chorus wasm vs ${ENGINE_LABELS[other]}`,
              value: chorus.value,
              unit,
              baseline: { label: ENGINE_LABELS[other], value: o.value },
              higherIsBetter: true,
              ...(o.note ? { note: `${ENGINE_LABELS[other]} ${o.note}` } : {}),
              ...(targets ? { targets } : {}),
            }),
          );
        }
      }
    }
  }
  return figures;
}
