/**
 * Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"), applied to an
 * ensemble's combined output, i.e. after averaging: one scalar T > 0 fitted on held-out data.
 *
 * Both ways of combining members reduce to scores s with uncalibrated probabilities softmax(s):
 * - `logits` input (mean of logits z):  s = z,       calibrated q = softmax(z / T)
 * - `probabilities` input (soft vote p): s = log p,   calibrated q = softmax(log(p) / T) = p^(1/T) / Σ p^(1/T)
 * T = 1 gives the input back, T > 1 softens over-confident predictions, T < 1 sharpens shy ones. The argmax
 * never changes, so neither does accuracy.
 *
 * The fit minimises the mean NLL over β = 1/T. Per sample, NLL(β) = logsumexp(β s) − β s_y: a log-partition
 * function (convex in β: its second derivative is the variance of s under q) plus a linear term, so the
 * mean NLL is convex in β, hence unimodal in log T (a monotone reparametrisation keeps unimodality). That is
 * what the search relies on: a coarse grid over log T picks the bracket holding the minimum, and a
 * golden-section search narrows it. The search is confined to [1/20, 20]: an optimum outside that range (e.g.
 * T → 0 when every validation prediction is right) is returned at the edge.
 * Sums are float64; the inputs are float32 as the tasks store them.
 */
import { NonRetryableError } from '../errors.ts';
import { softmaxRowInto } from './softmax.ts';
import {
  checkFinite,
  checkLabels,
  checkNonEmpty,
  checkProbabilities,
  checkTemperature,
  rowsOf,
} from './validate.ts';

/** What the scores are: (mean) logits, or (averaged) probabilities. */
export type TemperatureInput = 'logits' | 'probabilities';

export interface TemperatureOptions {
  /** Default `logits`. */
  input?: TemperatureInput;
}

/** The range of temperatures the fit searches. */
export const TEMPERATURE_RANGE = { min: 1 / 20, max: 20 } as const;

/**
 * Probabilities are floored here before the log: float32 cannot hold less (2^-149, its smallest subnormal),
 * so a stored 0 only says "below this". It keeps a confident mistake's NLL finite (≈ 103 nats) and the
 * objective convex, where log 0 would make it infinite for every T.
 */
export const PROBABILITY_FLOOR = 2 ** -149;

/** Grid points over log T (odd, so that T = 1 is the middle one) and the golden-section tolerance in log T. */
const GRID_POINTS = 41;
const LOG_TOLERANCE = 1e-7;

export interface TemperatureFit {
  /** The fitted T in [1/20, 20]; 1 when the NLL does not depend on T (e.g. one class). */
  temperature: number;
  /** Mean NLL (nats) of the fitting data at T = 1 and at the fitted T; nllAfter <= nllBefore always. */
  nllBefore: number;
  nllAfter: number;
}

/**
 * Fits T minimising the mean NLL of `labels` under softmax(s / T), s as described at the top of this file.
 * `scores` is row-major [n, classes]. Throws NonRetryableError on empty, mis-shaped or non-finite input,
 * labels out of range, or (for `probabilities`) rows that are not probabilities.
 */
export function fitTemperature(
  scores: Float32Array,
  labels: Int32Array,
  classes: number,
  options: TemperatureOptions = {},
): TemperatureFit {
  const s = scoresOf(scores, classes, options.input ?? 'logits');
  const n = s.length / classes;
  checkNonEmpty(n, 'scores');
  checkLabels(labels, n, classes);
  const objective = (logT: number): number => meanNll(s, labels, classes, Math.exp(-logT));

  const lo = Math.log(TEMPERATURE_RANGE.min);
  const hi = Math.log(TEMPERATURE_RANGE.max);
  const middle = (GRID_POINTS - 1) / 2;
  const step = (hi - lo) / (GRID_POINTS - 1);
  // Grid point k sits at (k − middle) · step, so the middle one is exactly log T = 0.
  const grid = Array.from({ length: GRID_POINTS }, (_, k) => (k - middle) * step);
  const values = grid.map(objective);
  const nllBefore = values[middle]!;

  // The best point seen so far, starting from T = 1: only a strictly lower NLL moves it, so a flat
  // objective keeps T = 1 and the result is never worse than the input.
  let bestU = 0;
  let bestValue = nllBefore;
  const consider = (u: number, value: number): void => {
    if (value < bestValue) {
      bestU = u;
      bestValue = value;
    }
  };
  let k = middle;
  values.forEach((v, i) => {
    if (v < values[k]!) k = i;
  });
  consider(grid[k]!, values[k]!);

  // Unimodal: the minimum lies between the neighbours of the best grid point.
  let a = grid[Math.max(0, k - 1)]!;
  let b = grid[Math.min(GRID_POINTS - 1, k + 1)]!;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = objective(c);
  let fd = objective(d);
  while (b - a > LOG_TOLERANCE) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = objective(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = objective(d);
    }
  }
  consider(c, fc);
  consider(d, fd);
  return { temperature: Math.exp(bestU), nllBefore, nllAfter: bestValue };
}

/**
 * Calibrated probabilities softmax(s / temperature), row-major [n, classes] float32 (computed in float64).
 * Throws NonRetryableError on a temperature that is not finite and > 0, and on input `fitTemperature` refuses.
 */
export function applyTemperature(
  scores: Float32Array,
  classes: number,
  temperature: number,
  options: TemperatureOptions = {},
): Float32Array {
  checkTemperature(temperature);
  const s = scoresOf(scores, classes, options.input ?? 'logits');
  const n = s.length / classes;
  const row = new Float64Array(classes);
  const out = new Float32Array(s.length);
  for (let r = 0; r < n; r++) {
    softmaxRowInto(s, r * classes, classes, temperature, row, 0);
    out.set(row, r * classes);
  }
  return out;
}

/** Validated scores s as float64: the logits, or log max(p, PROBABILITY_FLOOR). */
function scoresOf(scores: Float32Array, classes: number, input: TemperatureInput): Float64Array {
  rowsOf(scores, classes, 'scores');
  if (input === 'logits') {
    checkFinite(scores, classes, 'scores');
    return Float64Array.from(scores);
  }
  if (input === 'probabilities') {
    checkProbabilities(scores, classes, 'scores');
    return Float64Array.from(scores, (p) => Math.log(Math.max(p, PROBABILITY_FLOOR)));
  }
  throw new NonRetryableError(
    `temperature input must be 'logits' or 'probabilities', got '${String(input)}'`,
  );
}

/** (1/n) Σ_r [logsumexp(β s_r) − β s_r,y_r], stable (each row's maximum is taken out first). */
function meanNll(s: Float64Array, labels: Int32Array, classes: number, beta: number): number {
  const n = labels.length;
  let total = 0;
  for (let r = 0; r < n; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, s[o + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(beta * (s[o + c]! - max));
    total += Math.log(sum) - beta * (s[o + labels[r]!]! - max);
  }
  return total / n;
}
