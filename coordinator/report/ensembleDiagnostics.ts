import { softmaxRows } from '../../core/ensemble/softmax.ts';
import { disagreementMatrix } from '../../core/metrics/diagnostics/disagreement.ts';
import { klFromEnsemble } from '../../core/metrics/diagnostics/klFromEnsemble.ts';
import { outOfBagScores } from '../../core/metrics/diagnostics/outOfBag.ts';
import type { EnsembleDiagnostics } from '../../core/report/diagnostics.ts';
import type { ReportInputs } from './reportInputs.ts';
import { roundSignificant as r } from './roundSignificant.ts';

export interface DiagnosticsInputs {
  names: readonly string[];
  memberLogits: readonly Float32Array[];
  memberProbabilities: readonly Float32Array[];
  /** The soft vote's probabilities (the members weighted by their voting weights). */
  softVote: Float32Array;
  classes: number;
  /** The members' test NLL, and the soft vote's. */
  memberNll: readonly number[];
  softVoteNll: number;
  outOfBag?: ReportInputs['outOfBag'];
}

/** The report's `diagnostics` section (see core/report/diagnostics.ts), rounded as the report is. */
export function ensembleDiagnostics(d: DiagnosticsInputs): EnsembleDiagnostics {
  const disagreement = disagreementMatrix(d.memberLogits, d.classes);
  const m = d.names.length;
  let offDiagonal = 0;
  disagreement.forEach((row, i) => row.forEach((v, j) => (offDiagonal += i === j ? 0 : v)));
  const meanMemberNll = d.memberNll.reduce((a, b) => a + b, 0) / Math.max(m, 1);
  const oob = d.outOfBag;
  const outOfBag =
    oob && oob.members.length > 0
      ? outOfBagScores(
          oob.members.map((o) => ({
            name: o.name,
            rows: o.rows,
            probabilities: softmaxRows(o.logits, d.classes),
          })),
          oob.trainLabels,
          d.classes,
        )
      : undefined;
  return {
    members: [...d.names],
    disagreement: disagreement.map((row) => row.map((v) => r(v))),
    meanDisagreement: r(m > 1 ? offDiagonal / (m * (m - 1)) : 0),
    klFromEnsemble: klFromEnsemble(d.memberProbabilities, d.softVote, d.classes).map((v) => r(v)),
    nllGain: r(meanMemberNll - d.softVoteNll),
    ...(outOfBag
      ? {
          outOfBag: {
            members: outOfBag.members.map((s) => ({ ...s, accuracy: r(s.accuracy) })),
            ensemble: { ...outOfBag.ensemble, accuracy: r(outOfBag.ensemble.accuracy) },
          },
        }
      : {}),
  };
}
