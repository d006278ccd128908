import { NonRetryableError } from '../../core/errors.ts';
import { ENV } from '../env.ts';
import { envOrUndefined } from '../options.ts';

/** An integer from the environment (a bad value is reported as a bad flag would be). */
export function envInt(
  name: 'slots' | 'gpu' | 'metricsPort' | 'agingSeconds' | 'slotsPerGpu',
  min = 1,
): number | undefined {
  const value = envOrUndefined(name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new NonRetryableError(`${ENV[name]}: expected an integer >= ${min}, got "${value}"`);
  }
  return n;
}

/** A yes/no environment variable (`true`/`false`, `1`/`0`, `yes`/`no`). */
export function envBool(name: 'tls' | 'preempt'): boolean | undefined {
  const value = envOrUndefined(name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new NonRetryableError(`${ENV[name]}: expected true or false, got "${value}"`);
}
