import { count, duration, metric, origin, percent, plain, temperature } from '../../core/report/format.ts';
import type { ModelOrigin, Report, ReportBin } from '../../core/report/report.ts';
import { epochsCell, learningRateTable, onlineTeacherNotes } from './recipeTables.ts';
import { CALIBRATED_SOFT_LABEL, METHOD_LABELS, teacherIsSoftVote } from './reportRows.ts';
import { timingTables } from './timingRows.ts';
import { diagnosticsTables } from './diagnosticsTables.ts';

/** A table as plain text cells; renderMarkdown and renderHtml each escape and lay it out. */
export interface ReportTable {
  id: string;
  title: string;
  columns: { label: string; align: 'left' | 'right' }[];
  /** `best` marks the row to emphasise (best member, best student). */
  rows: { cells: string[]; best?: boolean }[];
  /** Sentences shown under the table. */
  notes: string[];
}

const L = 'left' as const;
const R = 'right' as const;

/**
 * The report's tables, in order: members, ensemble, students (if any), calibration (if soft; then the
 * calibrated soft vote's, if calibrated), timing.
 */
export function reportTables(report: Report): ReportTable[] {
  const tables: ReportTable[] = [];
  const mean = report.meanMember;
  tables.push({
    id: 'members',
    title: 'Members',
    columns: [
      { label: 'member', align: L },
      { label: 'model', align: L },
      { label: 'parameters', align: R },
      { label: 'weight', align: R },
      { label: 'teacher', align: L },
      { label: 'accuracy', align: R },
      { label: 'NLL', align: R },
      { label: 'ECE', align: R },
      { label: 'epochs', align: R },
      { label: 'train time', align: R },
    ],
    rows: report.members.map((m) => ({
      best: m.name === report.bestMember,
      cells: [
        m.name,
        origin(m.origin),
        count(m.parameters),
        plain(m.weight),
        m.teacher ? 'yes' : '',
        percent(m.accuracy),
        metric(m.nll),
        metric(m.ece),
        epochsCell(m),
        m.origin?.training === 'pretrained' ? '' : duration(m.trainSeconds),
      ],
    })),
    notes: [
      `Mean member: ${percent(mean.accuracy)} accuracy, NLL ${metric(mean.nll)}, ECE ${metric(mean.ece)}. ` +
        `Best member: ${report.bestMember}.`,
      ...modelFileNotes(report.members),
    ],
  });

  const e = report.ensemble;
  const t = report.teacher;
  const methodRows: ReportTable['rows'] = [];
  if (e.hard) methodRows.push({ cells: [METHOD_LABELS.hard, percent(e.hard.accuracy), '-', '-'] });
  if (e.soft)
    methodRows.push({
      cells: [METHOD_LABELS.soft, percent(e.soft.accuracy), metric(e.soft.nll), metric(e.soft.ece)],
    });
  const softCalibrated = e.soft?.calibrated;
  if (softCalibrated) {
    methodRows.push({
      cells: [
        `${CALIBRATED_SOFT_LABEL}, T = ${temperature(softCalibrated.temperature)}`,
        percent(softCalibrated.accuracy),
        metric(softCalibrated.nll),
        metric(softCalibrated.ece),
      ],
    });
  }
  if (e.stacking) {
    methodRows.push({
      cells: [
        METHOD_LABELS.stacking,
        percent(e.stacking.accuracy),
        metric(e.stacking.nll),
        metric(e.stacking.ece),
      ],
    });
    const oof = e.stacking.outOfFold;
    if (oof) {
      methodRows.push({
        cells: [
          `${METHOD_LABELS.stacking} (out-of-fold, ${oof.folds} folds)`,
          percent(oof.accuracy),
          metric(oof.nll),
          metric(oof.ece),
        ],
      });
    }
  }
  methodRows.push({
    cells: [
      `teacher (${t.members.length} member${t.members.length === 1 ? '' : 's'}, mean of ${t.softTargets})`,
      percent(t.accuracy),
      metric(t.nll),
      metric(t.ece),
    ],
  });
  const teacherCalibrated = t.calibrated;
  // When the teacher is the soft vote, the calibrated soft vote row already shows its figures.
  if (teacherCalibrated && !teacherIsSoftVote(report)) {
    methodRows.push({
      cells: [
        `teacher (calibrated, T = ${temperature(teacherCalibrated.temperature)})`,
        percent(teacherCalibrated.accuracy),
        metric(teacherCalibrated.nll),
        metric(teacherCalibrated.ece),
      ],
    });
  }
  const calibrationNotes = teacherCalibrated
    ? [
        'Calibrated: temperature scaling after averaging, softmax(log(p) / T) with T fitted on the validation ' +
          'split (minimum NLL); the predicted classes, and so the accuracy, do not change. ' +
          `The exported ensemble model (models/ensemble) applies the teacher's T = ${temperature(teacherCalibrated.temperature)}.`,
      ]
    : [];
  tables.push({
    id: 'ensemble',
    title: 'Ensemble',
    columns: [
      { label: 'method', align: L },
      { label: 'accuracy', align: R },
      { label: 'NLL', align: R },
      { label: 'ECE', align: R },
    ],
    rows: methodRows,
    notes: [
      'The hard vote has no probabilities, so no NLL or ECE.',
      teacherIsSoftVote(report)
        ? 'The teacher is the soft vote of all members.'
        : `Teacher members: ${t.members.join(', ')}.`,
      ...calibrationNotes,
      ...(e.stacking?.outOfFold
        ? [
            'Stacking: the combiner trained on the validation split; out-of-fold: the same combiner trained on ' +
              'the members’ out-of-fold predictions over the whole training split (each member trained once ' +
              'more per fold, without it).',
          ]
        : []),
    ],
  });

  if (report.students.length > 0) {
    tables.push({
      id: 'students',
      title: 'Students',
      columns: [
        { label: 'student', align: L },
        { label: 'kind', align: L },
        { label: 'parameters', align: R },
        { label: 'T', align: R },
        { label: 'alpha', align: R },
        { label: 'accuracy', align: R },
        { label: 'NLL', align: R },
        { label: 'ECE', align: R },
        { label: 'agrees with teacher', align: R },
        { label: 'train time', align: R },
      ],
      rows: report.students.map((s) => ({
        best: s.name === report.distillation?.bestStudent,
        cells: [
          s.name,
          s.kind,
          count(s.parameters),
          plain(s.temperature),
          plain(s.alpha),
          percent(s.accuracy),
          metric(s.nll),
          metric(s.ece),
          percent(s.agreementWithTeacher),
          duration(s.trainSeconds),
        ],
      })),
      notes: [
        'T is the distillation temperature and alpha the weight of the soft (teacher) term.',
        // Every student run starts from the same model.
        ...modelFileNotes([{ name: 'The students', origin: report.students[0]?.origin }]),
        ...onlineTeacherNotes(report),
      ],
    });
  }
  const rates = learningRateTable(report);
  if (rates) tables.push(rates);
  tables.push(...diagnosticsTables(report));

  if (e.soft) {
    tables.push(
      reliabilityTable(
        'calibration',
        `Calibration of the soft vote (ECE ${metric(e.soft.ece)})`,
        e.soft.reliability,
      ),
    );
  }
  if (softCalibrated) {
    tables.push(
      reliabilityTable(
        'calibration-calibrated',
        `Calibration of the soft vote after temperature scaling (T = ${temperature(softCalibrated.temperature)}, ` +
          `ECE ${metric(softCalibrated.ece)})`,
        softCalibrated.reliability,
      ),
    );
  }

  tables.push(...timingTables(report));
  return tables;
}

/** A reliability table: one row per non-empty confidence bin. */
function reliabilityTable(id: string, title: string, bins: ReportBin[]): ReportTable {
  return {
    id,
    title,
    columns: [
      { label: 'confidence', align: L },
      { label: 'samples', align: R },
      { label: 'mean confidence', align: R },
      { label: 'accuracy', align: R },
    ],
    rows: bins
      .filter((b) => b.count > 0)
      .map((b) => ({
        cells: [
          `(${b.lower.toFixed(3)}, ${b.upper.toFixed(3)}]`,
          String(b.count),
          b.meanConfidence === null ? '-' : percent(b.meanConfidence, 1),
          b.accuracy === null ? '-' : percent(b.accuracy, 1),
        ],
      })),
    notes: ['15 equal-width confidence bins; empty bins are not listed.'],
  };
}

/**
 * One sentence per model loaded from a file: which file, and what was done with it. (A model built from
 * the job file's layers needs none: the model column says `layers`.)
 */
function modelFileNotes(models: readonly { name: string; origin?: ModelOrigin }[]): string[] {
  return models.flatMap(({ name, origin: o }) => {
    if (o?.from !== 'file') return [];
    const how =
      o.training === 'pretrained'
        ? 'used as it is (pretrained, not trained here)'
        : o.weights === 'file'
          ? "trained here from the file's weights"
          : 'trained here from random weights (the file gave its layers)';
    return [
      `${name}: model file ${o.file ?? ''}, ${how}; its logits are used (a final softmax is read through).`,
    ];
  });
}
