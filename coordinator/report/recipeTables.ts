import { duration, plain } from '../../core/report/format.ts';
import type { MemberReport, Report, StudentReport } from '../../core/report/report.ts';
import type { ReportTable } from './reportTables.ts';

/** The epochs cell: `30`, or `14 of 30, best 9` when early stopping ended training at epoch 14. */
export function epochsCell(
  t: Pick<MemberReport | StudentReport, 'epochs' | 'stoppedAtEpoch' | 'bestEpoch'>,
): string {
  if (t.stoppedAtEpoch !== undefined) {
    return `${t.stoppedAtEpoch} of ${plain(t.epochs)}${t.bestEpoch !== undefined ? `, best ${t.bestEpoch}` : ''}`;
  }
  return t.bestEpoch !== undefined ? `${plain(t.epochs)}, best ${t.bestEpoch}` : plain(t.epochs);
}

/**
 * Each task's learning rate per epoch, as runs: `0.001 ×5, 0.0005 ×3, …`. Shown when any task's rate
 * changed during training (a schedule other than a constant rate).
 */
export function learningRateTable(report: {
  members: readonly Pick<MemberReport, 'name' | 'history' | 'epochs' | 'stoppedAtEpoch' | 'bestEpoch'>[];
  students: readonly Pick<StudentReport, 'name' | 'history' | 'epochs' | 'stoppedAtEpoch' | 'bestEpoch'>[];
}): ReportTable | undefined {
  const tasks = [...report.members, ...report.students].filter(
    (t) => (t.history?.learningRate?.length ?? 0) > 0,
  );
  if (!tasks.some((t) => new Set(t.history!.learningRate).size > 1)) return undefined;
  return {
    id: 'learning-rates',
    title: 'Learning rate per epoch',
    columns: [
      { label: 'task', align: 'left' },
      { label: 'epochs', align: 'right' },
      { label: 'learning rate by epoch (value ×epochs)', align: 'left' },
    ],
    rows: tasks.map((t) => ({ cells: [t.name, epochsCell(t), runs(t.history!.learningRate!)] })),
    notes: [
      '"14 of 30, best 9": early stopping ended training after epoch 14 of 30; epoch 9 scored best on the ' +
        'validation split (its weights are the ones kept when restoreBestWeights is on).',
    ],
  };
}

/** One sentence per online-teacher student: how much of its training time the teacher's forward passes took. */
export function onlineTeacherNotes(report: Report): string[] {
  return report.students
    .filter((s) => s.teacherSeconds !== undefined)
    .map(
      (s) =>
        `${s.name} (online teacher): teacher forward passes ${duration(s.teacherSeconds!)} of ` +
        `${duration(s.trainSeconds)} training (student alone ${duration(Math.max(0, s.trainSeconds - s.teacherSeconds!))}).`,
    );
}

function runs(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i + 1;
    while (j < values.length && values[j] === values[i]) j++;
    const v = String(Number(values[i]!.toPrecision(3)));
    parts.push(j - i > 1 ? `${v} ×${j - i}` : v);
    i = j;
  }
  return parts.join(', ');
}
