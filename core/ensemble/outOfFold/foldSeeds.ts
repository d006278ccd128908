import { deriveSeed } from '../../data/random.ts';

/** Salt of the fold assignment's seed: its own stream of the job seed. */
const FOLD_SALT = 0xf01d;

/** The seed of the training split's fold assignment (the fold tasks and the combiner agree on it). */
export function foldAssignmentSeed(jobSeed: number): number {
  return deriveSeed(jobSeed, FOLD_SALT);
}

/** The seed a member trains with in fold `fold`: other initial weights, shuffles and draws than its own. */
export function foldMemberSeed(memberSeed: number, fold: number): number {
  return deriveSeed(memberSeed, FOLD_SALT, fold);
}
