import { JsonReporter } from './jsonReporter.ts';
import { PlainReporter } from './plainReporter.ts';
import type { ProgressReporter } from './progressReporter.ts';

export function createReporter(options: { json: boolean }): ProgressReporter {
  if (options.json) return new JsonReporter();
  return new PlainReporter();
}
