/**
 * `x` rounded to `digits` significant digits, so report.json shows 0.971 rather than
 * 0.97100001573562622 (float32 noise that no one should read meaning into). Non-finite values pass through.
 */
export function roundSignificant(x: number, digits = 6): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}

/** Seconds to the millisecond. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
