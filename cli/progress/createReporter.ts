import { JsonReporter } from './jsonReporter.ts';
import { PlainReporter } from './plainReporter.ts';
import { RUN_WORDING, type ProgressReporter, type ReporterWording } from './progressReporter.ts';
import { TtyReporter } from './ttyReporter.ts';

/** What the choice depends on; defaults to this process's stderr and environment (tests pass their own). */
export interface ReporterContext {
  stderrIsTTY?: boolean;
  env?: Record<string, string | undefined>;
}

/**
 * `--json` → JSON events; a terminal on stderr (and not CI, not a dumb terminal) → the live display;
 * otherwise plain log lines, which read well in pipes and CI logs.
 */
export function createReporter(
  options: { json: boolean; wording?: ReporterWording },
  context: ReporterContext = {},
): ProgressReporter {
  if (options.json) return new JsonReporter();
  const env = context.env ?? process.env;
  const isTTY = context.stderrIsTTY ?? process.stderr.isTTY === true;
  const wording = options.wording ?? RUN_WORDING;
  if (isTTY && !isCI(env) && env['TERM'] !== 'dumb') return new TtyReporter({ wording });
  return new PlainReporter(undefined, wording);
}

/** CI systems set CI (to "true", "1", a name...); an explicit "false" or "0" means not CI. */
function isCI(env: Record<string, string | undefined>): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}
