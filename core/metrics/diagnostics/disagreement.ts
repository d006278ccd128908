import { NonRetryableError } from '../../errors.ts';
import { argmaxRows } from '../argmaxRows.ts';

/**
 * Pairwise disagreement of classifiers: entry [i][j] is the fraction of samples on which member i's
 * predicted class (argmax, ties to the lowest class) differs from member j's; 0 on the diagonal.
 * A measure of diversity: members that never disagree cannot correct each other.
 */
export function disagreementMatrix(memberLogits: readonly Float32Array[], classes: number): number[][] {
  const predicted = memberLogits.map((l) => argmaxRows(l, classes));
  const n = predicted[0]?.length ?? 0;
  if (predicted.some((p) => p.length !== n))
    throw new NonRetryableError('disagreement: members differ in length');
  if (n === 0) throw new NonRetryableError('disagreement: no samples');
  return predicted.map((a, i) =>
    predicted.map((b, j) => {
      if (i === j) return 0;
      let differ = 0;
      for (let r = 0; r < n; r++) if (a[r] !== b[r]) differ++;
      return differ / n;
    }),
  );
}
