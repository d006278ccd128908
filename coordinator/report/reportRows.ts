import type { Report } from '../../core/report/report.ts';

export type RowKind = 'member' | 'ensemble' | 'teacher' | 'distilled' | 'baseline';

/** One scored predictor, as the tables and the accuracy chart list it. */
export interface ScoreRow {
  name: string;
  kind: RowKind;
  accuracy: number;
  /** Absent for the hard vote (it has no probabilities). */
  nll?: number;
  ece?: number;
  /** Students only. */
  agreementWithTeacher?: number;
  /** A temperature-scaled row: same accuracy as the row before it, so accuracy charts leave it out. */
  calibrated?: boolean;
}

export interface ScoreRows {
  members: ScoreRow[];
  /** The ensemble methods, then the teacher when it differs from the soft vote and students learnt from it. */
  ensemble: ScoreRow[];
  students: ScoreRow[];
}

export const METHOD_LABELS = { hard: 'hard vote', soft: 'soft vote', stacking: 'stacking' } as const;
export const CALIBRATED_SOFT_LABEL = 'soft vote (calibrated)';

/** The report's predictors in display order; every rendering lists the same rows. */
export function scoreRows(report: Report): ScoreRows {
  const members: ScoreRow[] = report.members.map((m) => ({
    name: m.name,
    kind: 'member',
    accuracy: m.accuracy,
    nll: m.nll,
    ece: m.ece,
  }));
  const ensemble: ScoreRow[] = [];
  const { hard, soft, stacking } = report.ensemble;
  if (hard) ensemble.push({ name: METHOD_LABELS.hard, kind: 'ensemble', accuracy: hard.accuracy });
  for (const [key, scores] of [
    ['soft', soft],
    ['stacking', stacking],
  ] as const) {
    if (scores) {
      ensemble.push({
        name: METHOD_LABELS[key],
        kind: 'ensemble',
        accuracy: scores.accuracy,
        nll: scores.nll,
        ece: scores.ece,
      });
    }
    const oof = key === 'stacking' ? stacking?.outOfFold : undefined;
    if (oof) {
      ensemble.push({
        name: `${METHOD_LABELS.stacking} (out-of-fold)`,
        kind: 'ensemble',
        accuracy: oof.accuracy,
        nll: oof.nll,
        ece: oof.ece,
      });
    }
    const calibrated = key === 'soft' ? soft?.calibrated : undefined;
    if (calibrated) {
      ensemble.push({
        name: CALIBRATED_SOFT_LABEL,
        kind: 'ensemble',
        accuracy: calibrated.accuracy,
        nll: calibrated.nll,
        ece: calibrated.ece,
        calibrated: true,
      });
    }
  }
  if (report.students.length > 0 && !teacherIsSoftVote(report)) {
    const t = report.teacher;
    ensemble.push({ name: 'teacher', kind: 'teacher', accuracy: t.accuracy, nll: t.nll, ece: t.ece });
    if (t.calibrated) {
      const c = t.calibrated;
      ensemble.push({
        name: 'teacher (calibrated)',
        kind: 'teacher',
        accuracy: c.accuracy,
        nll: c.nll,
        ece: c.ece,
        calibrated: true,
      });
    }
  }
  const students: ScoreRow[] = report.students.map((s) => ({
    name: s.name,
    kind: s.kind,
    accuracy: s.accuracy,
    nll: s.nll,
    ece: s.ece,
    agreementWithTeacher: s.agreementWithTeacher,
  }));
  return { members, ensemble, students };
}

/** The teacher is exactly the soft vote when it uses all members and averages probabilities. */
export function teacherIsSoftVote(report: Report): boolean {
  return (
    report.ensemble.soft !== undefined &&
    report.teacher.softTargets === 'probabilities' &&
    report.teacher.members.length === report.members.length
  );
}
