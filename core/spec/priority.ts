import { z } from 'zod';

/**
 * A job's priority class on a shared cluster (`runtime.priority`, `chorus submit --priority`): the
 * coordinator dispatches the tasks of a higher class first (docs/distributed.md, "Sharing the
 * cluster"). The embedded mode (`chorus run`) has one job and ignores it.
 */
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const DEFAULT_PRIORITY: Priority = 'normal';

export const priority = z.enum(PRIORITIES);

/** A class as a number that orders it: low 0, normal 1, high 2. */
export function priorityRank(p: Priority): number {
  return PRIORITIES.length - 1 - PRIORITIES.indexOf(p);
}

/** The highest rank (high's). */
export const MAX_PRIORITY_RANK = PRIORITIES.length - 1;

/** The class of a rank, rounded into range (an aged rank above high is high). */
export function priorityOfRank(rank: number): Priority {
  const i = PRIORITIES.length - 1 - Math.max(0, Math.min(MAX_PRIORITY_RANK, Math.floor(rank)));
  return PRIORITIES[i] ?? DEFAULT_PRIORITY;
}
