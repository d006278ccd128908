import { z } from 'zod';
import { SPEC_LIMITS } from './specLimits.ts';

/**
 * Augmentation of image-shaped samples ([height, width] or [height, width, channels]) while training:
 * declared once under `data.augment`, replaced per member or student by their own `augment` (`false`
 * turns it off). Validation, test, soft labels and predictions never see it.
 */

const pixels = (what: string) =>
  z
    .number({ error: `expected an integer >= 0 (${what})` })
    .max(SPEC_LIMITS.windowSize, {
      error: `expected at most ${SPEC_LIMITS.windowSize} pixels (the limit)`,
      abort: true,
    })
    .int({ error: `expected an integer >= 0 (${what})` })
    .nonnegative({ error: `expected an integer >= 0 (${what})` });

export const augmentSpec = z.strictObject({
  /**
   * Random translation by up to this many pixels each way, filled with zeros: padding by this much and
   * a random crop back to the image's size.
   */
  translate: pixels('pixels').default(0),
  /** Mirror left-right with probability 1/2. */
  flip: z.boolean({ error: 'expected true or false' }).default(false),
  /** Cutout (DeVries & Taylor 2017): zero a square of this side at a random centre (0 = off). */
  cutout: pixels("the square's side in pixels").default(0),
});

/** A member's or student's own setting: its augmentation, or `false` for none. */
export const augmentOverride = z.union([z.literal(false), augmentSpec], {
  error: 'expected false or an augmentation ({ translate, flip, cutout })',
});

export type AugmentSettings = z.output<typeof augmentSpec>;
