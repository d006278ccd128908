/**
 * The shape of `bench/results.json`. Every figure carries the baseline it is compared against, measured
 * in the same run, and the ratio value ÷ baseline; ratios are what count on a shared, noisy machine.
 */

export interface Baseline {
  /** What was measured as the baseline, e.g. `tfjs cpu` or `naive JS loops`. */
  label: string;
  value: number | null;
}

/**
 * A bound a figure should meet, from an issue. It bounds the figure's value (in its unit) or its ratio to
 * the same-run baseline, from below when higher is better, from above when lower is.
 */
export interface Target {
  on: 'value' | 'ratio';
  bound: number;
  /** Where the target was set, e.g. `issue 17`. */
  source: string;
}

export interface Figure {
  /** Stable key, e.g. `train.mlp-b128.chorus-wasm`. */
  id: string;
  /** Table this figure belongs to, e.g. `MLP 784-256-10, batch 128: training`. */
  group: string;
  /** Row label, e.g. `Chorus wasm (1 thread)`. */
  label: string;
  /** null when the configuration was skipped or could not run; `note` then says why. */
  value: number | null;
  unit: string;
  baseline: Baseline | null;
  /** value ÷ baseline.value, when both exist. */
  ratio: number | null;
  /** Whether a higher value is better (throughput) or a lower one (time, latency). */
  higherIsBetter: boolean;
  note?: string;
  targets?: Target[];
}

/** Whether a figure meets a target, and by how much it misses (a fraction of the bound), when measured. */
export function targetVerdict(
  f: Figure,
  t: Target,
): { measured: number | null; met: boolean | null; missedBy: number | null } {
  const measured = t.on === 'ratio' ? f.ratio : f.value;
  if (measured === null) return { measured, met: null, missedBy: null };
  const met = f.higherIsBetter ? measured >= t.bound : measured <= t.bound;
  const missedBy = met ? 0 : Math.abs(measured - t.bound) / Math.abs(t.bound);
  return { measured, met, missedBy };
}

export interface Section {
  name: string;
  title: string;
  /** When this benchmark ran (a `--only` run keeps other sections from earlier runs). */
  date: string;
  /** os.loadavg() before and after this benchmark: other work on the machine skews absolute numbers. */
  loadAverageStart: number[];
  loadAverageEnd: number[];
  /** Wall time the benchmark took, seconds. */
  seconds: number;
  figures: Figure[];
  /** Benchmark-specific measurements the figures were derived from (JSON). */
  details: Record<string, unknown>;
  /** Set when the whole benchmark could not run. */
  skipped?: string;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  release: string;
  /** os.loadavg() (1, 5, 15 min) when the run started and when it ended: the machine may be shared. */
  loadAverageStart: number[];
  loadAverageEnd: number[];
  env: Record<string, string>;
  /** Linux `kernel.sched_autogroup_enabled`: CPU time is shared between sessions before threads. */
  schedAutogroup?: boolean;
}

export interface Versions {
  node: string;
  tfjs: string;
  tfjsBackendWasm: string;
  torch: string;
  python: string;
}

export interface BenchResults {
  date: string;
  quick: boolean;
  command: string;
  machine: MachineInfo;
  versions: Versions;
  sections: Record<string, Section>;
}

/** A figure with its ratio filled in. */
export function figure(f: Omit<Figure, 'ratio'>): Figure {
  const base = f.baseline?.value;
  const ratio = f.value !== null && base !== null && base !== undefined && base !== 0 ? f.value / base : null;
  return { ...f, ratio };
}

/** What every benchmark is given by the orchestrator. */
export interface BenchOptions {
  /** A short smoke run: small sizes, short timings; the numbers are not meant to be quoted. */
  quick: boolean;
}

/** A benchmark: runs its child processes one after another and returns its section. */
export type Benchmark = (options: BenchOptions) => Promise<SectionBody>;

/** What a benchmark itself fills in; the orchestrator adds name, date, load and duration. */
export type SectionBody = Pick<Section, 'title' | 'figures' | 'details' | 'skipped'>;
