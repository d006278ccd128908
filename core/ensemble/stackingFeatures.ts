/**
 * The stacking combiner's input (the article's concat + Dense): each sample's members' probabilities
 * side by side, row-major [n, M * classes] with member i's probabilities at columns [i*classes, (i+1)*classes).
 */
import { checkMembers, checkProbabilities } from './validate.ts';

export function stackingFeatures(
  memberProbabilities: readonly Float32Array[],
  classes: number,
): Float32Array {
  const n = checkMembers(memberProbabilities, classes, 'memberProbabilities');
  memberProbabilities.forEach((p, i) => checkProbabilities(p, classes, `memberProbabilities[${i}]`));
  const m = memberProbabilities.length;
  const width = m * classes;
  const out = new Float32Array(n * width);
  memberProbabilities.forEach((p, i) => {
    for (let r = 0; r < n; r++) out.set(p.subarray(r * classes, (r + 1) * classes), r * width + i * classes);
  });
  return out;
}
