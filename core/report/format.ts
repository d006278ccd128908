import type { ModelOrigin } from './report.ts';

/** Number formats shared by the text, Markdown and HTML renderings, so they all show the same digits. */

/** A fraction as a percentage with two decimals: 0.97125 → `97.13%`. */
export function percent(fraction: number, decimals = 2): string {
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** NLL or ECE with four decimals. */
export function metric(value: number): string {
  return value.toFixed(4);
}

/** Seconds for people: `0.84 s`, `12.3 s`, `4 min 05 s`, `1 h 02 min`. */
export function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  const minutes = Math.round(whole / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Temperature or alpha as written in the job: `4`, `0.9`. */
export function plain(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/** A fitted temperature with three significant digits: 1.53421 → `1.53`. */
export function temperature(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** A count with thousands separators: 101770 → `101,770`; nothing when unknown. */
export function count(value: number | undefined): string {
  return value === undefined ? '' : value.toLocaleString('en-US');
}

/** Where a model came from, in a few words: `layers`, `file, pretrained`, `file, fine-tuned`, `file, random init`. */
export function origin(value: ModelOrigin | undefined): string {
  if (!value) return '';
  if (value.from === 'layers') return 'layers';
  if (value.training === 'pretrained') return 'file, pretrained';
  return value.weights === 'file' ? 'file, fine-tuned' : 'file, random init';
}
