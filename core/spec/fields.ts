import { z } from 'zod';
import { SPEC_LIMITS } from './specLimits.ts';

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

/**
 * A positive integer of at most `max`; `what` names the unit in the message, e.g.
 * "expected at most 100000 epochs (the limit), got 1000000000000".
 */
export const boundedPositiveInt = (max: number, what: string) =>
  z
    .number({ error: 'expected a positive integer' })
    // First and aborting: 1e20 is over the limit, and saying so beats "not a (safe) integer".
    .max(max, { error: `expected at most ${max} ${what} (the limit)`, abort: true })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' });

const seedRange = `expected an integer between -${SPEC_LIMITS.seedMagnitude} and ${SPEC_LIMITS.seedMagnitude}`;

/** A seed: an integer small enough that the offsets added per member, replica and student stay exact. */
export const seed = () =>
  z
    .number({ error: seedRange })
    .min(-SPEC_LIMITS.seedMagnitude, { error: seedRange, abort: true })
    .max(SPEC_LIMITS.seedMagnitude, { error: seedRange, abort: true })
    .int({ error: seedRange });

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

/** A number or a non-empty list of at most `maxItems` numbers (for sweeps), normalised to a list. */
export const numberOrList = <T extends z.ZodNumber>(item: T, what: string, maxItems: number) =>
  z
    .union(
      [
        item,
        z
          .array(item)
          .min(1, { error: `expected ${what} or a non-empty list of them` })
          .max(maxItems, { error: `expected at most ${maxItems} values (the limit of a sweep)` }),
      ],
      { error: `expected ${what} or a non-empty list of them` },
    )
    .transform((v): number[] => (Array.isArray(v) ? v : [v]));
