import { NonRetryableError } from '../../errors.ts';
import { argmaxRows } from '../argmaxRows.ts';

/** A bootstrap member's probabilities on its out-of-bag rows of the training split. */
export interface OutOfBagPredictions {
  name: string;
  /** Training-split rows the member's bootstrap sample never drew, ascending. */
  rows: Int32Array;
  /** [rows.length, classes], in the order of `rows`. */
  probabilities: Float32Array;
}

export interface OutOfBagScores {
  members: { name: string; accuracy: number; samples: number }[];
  /**
   * Every training row that is out of bag for at least one member, scored by the unweighted mean of
   * those members' probabilities (scikit-learn's oob_score for bagging); rows in every bag are left out.
   */
  ensemble: { accuracy: number; samples: number };
}

/**
 * Out-of-bag accuracy of bootstrap members: each on the training rows it never trained on, and the
 * ensemble of them on each row, using only the members for which that row is out of bag. An honest
 * estimate of test accuracy from the training split alone (Breiman 1996).
 */
export function outOfBagScores(
  members: readonly OutOfBagPredictions[],
  labels: Int32Array,
  classes: number,
): OutOfBagScores {
  const n = labels.length;
  const sum = new Float64Array(n * classes);
  const voters = new Int32Array(n);
  const scored = members.map((m) => {
    if (m.probabilities.length !== m.rows.length * classes) {
      throw new NonRetryableError(
        `out-of-bag: ${m.name} has ${m.probabilities.length} values for ${m.rows.length} rows`,
      );
    }
    const predicted = argmaxRows(m.probabilities, classes);
    let correct = 0;
    for (let k = 0; k < m.rows.length; k++) {
      const r = m.rows[k]!;
      if (r < 0 || r >= n) throw new NonRetryableError(`out-of-bag: ${m.name} names row ${r} of ${n}`);
      if (predicted[k] === labels[r]) correct++;
      voters[r] = voters[r]! + 1;
      for (let c = 0; c < classes; c++)
        sum[r * classes + c] = sum[r * classes + c]! + m.probabilities[k * classes + c]!;
    }
    return {
      name: m.name,
      accuracy: m.rows.length > 0 ? correct / m.rows.length : 0,
      samples: m.rows.length,
    };
  });
  let samples = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    if (voters[r] === 0) continue;
    samples++;
    // The mean's argmax is the sum's: ties to the lowest class, as argmaxRows.
    let best = 0;
    for (let c = 1; c < classes; c++) if (sum[r * classes + c]! > sum[r * classes + best]!) best = c;
    if (best === labels[r]) correct++;
  }
  return { members: scored, ensemble: { accuracy: samples > 0 ? correct / samples : 0, samples } };
}
