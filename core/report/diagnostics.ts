/**
 * Why a classification ensemble helps (report.json `diagnostics`): how much its members differ, and what
 * that bought. Computed on the test split, except out-of-bag scores (training split).
 */
export interface EnsembleDiagnostics {
  /** Member names: the order of the matrix's rows and columns and of `klFromEnsemble`. */
  members: string[];
  /** [i][j]: fraction of test samples on which members i and j predict different classes. */
  disagreement: number[][];
  /** Mean of the matrix's off-diagonal entries (0 with one member). */
  meanDisagreement: number;
  /** Per member: mean KL(member ‖ ensemble) over the test samples, in nats; the ensemble is the weighted mean of the members' probabilities (the soft vote). */
  klFromEnsemble: number[];
  /** The mean member's test NLL minus the ensemble's (the weighted mean of probabilities): what diversity bought. */
  nllGain: number;
  /** Bootstrap members only: accuracy on the training rows each never drew, and of their ensemble. */
  outOfBag?: {
    members: { name: string; accuracy: number; samples: number }[];
    ensemble: { accuracy: number; samples: number };
  };
}
