import { Option } from 'commander';
import { backendChoice } from '../../core/backend/backendChoice.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { ENV } from '../env.ts';
import { envOrUndefined } from '../options.ts';

export type BackendFlag = (typeof backendChoice.options)[number];

/** `--backend`, defaulting to CHORUS_BACKEND when set (checked here, like the flag). */
export function backendOption(what: string): Option {
  const option = new Option('--backend <name>', what).choices(backendChoice.options);
  const fromEnvironment = envOrUndefined('backend');
  if (fromEnvironment === undefined) return option;
  const parsed = backendChoice.safeParse(fromEnvironment);
  if (!parsed.success) {
    throw new NonRetryableError(
      `${ENV.backend}: expected one of ${backendChoice.options.join(', ')}, got "${fromEnvironment}"`,
    );
  }
  return option.default(parsed.data);
}
