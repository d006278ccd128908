import { z } from 'zod';

/**
 * Field schemas whose messages read "expected …"; `formatIssues` appends ", got <value>".
 * Keeping the wording here makes every job-file error look the same.
 */

export const positiveInt = () =>
  z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' });

export const nonNegativeInt = () =>
  z
    .number({ error: 'expected an integer >= 0' })
    .int({ error: 'expected an integer >= 0' })
    .nonnegative({ error: 'expected an integer >= 0' });

export const integer = () => z.number({ error: 'expected an integer' }).int({ error: 'expected an integer' });

export const positiveNumber = () =>
  z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' });

export const nonNegativeNumber = () =>
  z.number({ error: 'expected a number >= 0' }).nonnegative({ error: 'expected a number >= 0' });

/** A number in [0, 1]. */
export const unitInterval = () =>
  z
    .number({ error: 'expected a number between 0 and 1' })
    .min(0, { error: 'expected a number between 0 and 1' })
    .max(1, { error: 'expected a number between 0 and 1' });

/** A number in [0, 1). */
export const fraction = () =>
  z
    .number({ error: 'expected a number in [0, 1)' })
    .min(0, { error: 'expected a number in [0, 1)' })
    .lt(1, { error: 'expected a number in [0, 1)' });

/** A name usable in file paths, metric labels and task ids. */
export const identifier = () =>
  z.string({ error: 'expected a name' }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
    error: 'expected a name of 1-64 letters, digits, "-", "_" or "." starting with a letter or digit',
  });

export const nonEmptyString = () =>
  z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });

/** A number or a non-empty list of numbers (for sweeps), normalised to a list. */
export const numberOrList = <T extends z.ZodNumber>(item: T, what: string) =>
  z
    .union([item, z.array(item).min(1, { error: `expected ${what} or a non-empty list of them` })], {
      error: `expected ${what} or a non-empty list of them`,
    })
    .transform((v): number[] => (Array.isArray(v) ? v : [v]));
