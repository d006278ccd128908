/**
 * Aggregation speed: Chorus' hardVote, softVote and meanLogits against straightforward JS loops, on
 * random probabilities of `--members` × `--samples` × `--classes`. Runs in its own process (≈0.5 GB of
 * inputs).
 */
import { hardVote } from '../core/ensemble/hardVote.ts';
import { meanLogits } from '../core/ensemble/meanLogits.ts';
import { softVote } from '../core/ensemble/softVote.ts';
import { emitResult, numberArg, parseArgs } from './emitResult.ts';

export interface AggregationChildResult {
  members: number;
  samples: number;
  classes: number;
  /** members × samples × classes: the elements each call reads. */
  elements: number;
  /** Seconds per call, every repetition, in run order. */
  seconds: Record<AggregationTiming, number[]>;
  /** CPU seconds of this process per call (single-threaded work: steadier than wall time on a shared machine). */
  cpuSeconds: Record<AggregationTiming, number[]>;
  /** The naive loops give the same answers (a check that the baselines do the same job). */
  hardAgrees: boolean;
  softMaxAbsDiff: number;
  meanMaxAbsDiff: number;
}

export type AggregationTiming =
  'chorusHard' | 'naiveHard' | 'chorusSoft' | 'naiveSoft' | 'chorusMean' | 'naiveMean';

const args = parseArgs(process.argv.slice(2));
const members = numberArg(args, 'members', 10);
const samples = numberArg(args, 'samples', 1_000_000);
const classes = numberArg(args, 'classes', 10);
const reps = numberArg(args, 'reps', 3);

/** Random probability rows (uniform, normalised), from a small xorshift generator: fast and seeded. */
function randomProbabilities(seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(samples * classes);
  for (let r = 0; r < samples; r++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const v = (s >>> 0) / 4294967296 + 1e-6;
      out[r * classes + c] = v;
      sum += v;
    }
    for (let c = 0; c < classes; c++) out[r * classes + c] = out[r * classes + c]! / sum;
  }
  return out;
}

/** Each member votes for its argmax (first maximum); the most votes wins, ties to the lowest class. */
function naiveHardVote(scores: readonly Float32Array[]): Int32Array {
  const out = new Int32Array(samples);
  const votes = new Float64Array(classes);
  for (let r = 0; r < samples; r++) {
    votes.fill(0);
    for (const m of scores) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (m[r * classes + c]! > m[r * classes + best]!) best = c;
      votes[best] = votes[best]! + 1;
    }
    let win = 0;
    for (let c = 1; c < classes; c++) if (votes[c]! > votes[win]!) win = c;
    out[r] = win;
  }
  return out;
}

/** The plain mean of the members' probabilities (or logits: the same loop). */
function naiveMean(probs: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(samples * classes);
  for (let k = 0; k < out.length; k++) {
    let sum = 0;
    for (const m of probs) sum += m[k]!;
    out[k] = sum / probs.length;
  }
  return out;
}

const inputs = Array.from({ length: members }, (_, i) => randomProbabilities(1 + i * 7919));
const timings = (): Record<AggregationTiming, number[]> => ({
  chorusHard: [],
  naiveHard: [],
  chorusSoft: [],
  naiveSoft: [],
  chorusMean: [],
  naiveMean: [],
});
const seconds = timings();
const cpuSeconds = timings();
const time = <T>(key: AggregationTiming, f: () => T): T => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  seconds[key].push((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  cpuSeconds[key].push((cpu.user + cpu.system) / 1e6);
  return out;
};

let hardAgrees = true;
let softMaxAbsDiff = 0;
let meanMaxAbsDiff = 0;
// Interleaved, so a burst of load from elsewhere on the machine hits both sides alike.
for (let rep = 0; rep < reps; rep++) {
  const a = time('chorusHard', () => hardVote(inputs, classes));
  const b = time('naiveHard', () => naiveHardVote(inputs));
  for (let r = 0; r < samples; r++) if (a[r] !== b[r]) hardAgrees = false;
  const p = time('chorusSoft', () => softVote(inputs, classes));
  const q = time('naiveSoft', () => naiveMean(inputs));
  for (let k = 0; k < p.length; k++) softMaxAbsDiff = Math.max(softMaxAbsDiff, Math.abs(p[k]! - q[k]!));
  // Probabilities are finite numbers too: the mean of logits does the same sums with its own check.
  const u = time('chorusMean', () => meanLogits(inputs, classes));
  const v = time('naiveMean', () => naiveMean(inputs));
  for (let k = 0; k < u.length; k++) meanMaxAbsDiff = Math.max(meanMaxAbsDiff, Math.abs(u[k]! - v[k]!));
}

const result: AggregationChildResult = {
  members,
  samples,
  classes,
  elements: members * samples * classes,
  seconds,
  cpuSeconds,
  hardAgrees,
  softMaxAbsDiff,
  meanMaxAbsDiff,
};
emitResult(result);
