import { NonRetryableError } from '../../core/errors.ts';
import { hardVote } from '../../core/ensemble/hardVote.ts';
import { meanLogits } from '../../core/ensemble/meanLogits.ts';
import { softmaxRows } from '../../core/ensemble/softmax.ts';
import { softVote } from '../../core/ensemble/softVote.ts';
import { accuracy } from '../../core/metrics/accuracy.ts';
import { agreement } from '../../core/metrics/agreement.ts';
import { argmaxRows } from '../../core/metrics/argmaxRows.ts';
import { expectedCalibrationError } from '../../core/metrics/expectedCalibrationError.ts';
import { negativeLogLikelihood } from '../../core/metrics/negativeLogLikelihood.ts';
import { reliabilityBins } from '../../core/metrics/reliabilityBins.ts';
import type { ModelFile } from '../../core/spec/modelSource.ts';
import type { TaskType } from '../../core/tasks/task.ts';
import type { TaskResult, TrainingEnd, TrainingHistory } from '../../core/tasks/taskResult.ts';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import { chorusVersion } from './chorusVersion.ts';
import { calibratedProbabilities, fitEnsembleTemperature, type Average } from './ensembleTemperature.ts';
import type {
  CalibratedScores,
  DistillationSummary,
  GpuTaskTiming,
  MemberReport,
  ModelOrigin,
  Report,
  ReportBin,
  Scores,
  StudentReport,
  TimingReport,
} from '../../core/report/report.ts';
import type { ReportInputs } from './reportInputs.ts';
import { roundSeconds, roundSignificant as r } from './roundSignificant.ts';
import { teacherWeights } from './teacherWeights.ts';
import { ensembleDiagnostics } from './ensembleDiagnostics.ts';

/**
 * Scores every member, ensemble method and student on the test split and collects timings.
 * Pure: the same inputs give the same report (`createdAt` aside, when not given).
 * Ensemble methods the job did not ask for are left out.
 */
export function computeReport(inputs: ReportInputs): Report {
  const { job, counts, testLabels, records } = inputs;
  const classes = counts.classes;
  if (testLabels.length !== counts.test) {
    throw new NonRetryableError(
      `report: ${testLabels.length} test labels, but counts.test is ${counts.test}`,
    );
  }
  const checked = (logits: Float32Array | undefined, what: string): Float32Array => {
    if (logits === undefined) throw new NonRetryableError(`report: no test logits for ${what}`);
    if (logits.length !== testLabels.length * classes) {
      throw new NonRetryableError(
        `report: ${what}'s test logits have ${logits.length} values, expected ${testLabels.length} × ${classes}`,
      );
    }
    return logits;
  };
  const scoresOf = (probabilities: Float32Array): Scores => ({
    accuracy: r(accuracy(probabilities, testLabels)),
    nll: r(negativeLogLikelihood(probabilities, testLabels, classes)),
    ece: r(expectedCalibrationError(probabilities, testLabels, classes)),
  });

  const memberLogits = job.members.map((m) =>
    checked(inputs.memberTestLogits.get(m.name), `member ${m.name}`),
  );
  const memberProbabilities = memberLogits.map((t) => softmaxRows(t, classes));
  const weights = job.members.map((m, i) => job.ensemble.weights[i] ?? m.weight);
  const teacherSet = new Set(job.teacher.members);

  const members: MemberReport[] = job.members.map((m, i) => {
    const result = resultOf(records, `train:${m.name}`, 'train');
    const parameters = resultOf(records, `predict:${m.name}`, 'predict')?.parameters;
    return {
      name: m.name,
      group: m.group,
      origin: modelOrigin(m),
      ...(parameters !== undefined ? { parameters } : {}),
      weight: weights[i] ?? 1,
      teacher: teacherSet.has(m.name),
      ...scoresOf(memberProbabilities[i]!),
      trainSeconds: roundSeconds(result?.seconds ?? 0),
      ...(result
        ? { epochs: result.epochs, history: roundHistory(result.history), ...trainingEndOf(result) }
        : {}),
    };
  });

  const calibration = job.ensemble.calibrate ? validationOf(inputs) : undefined;
  /** Temperature scaling after averaging for one combination: T from validation, scores on test. */
  const calibrate = (
    names: readonly string[],
    w: readonly number[],
    average: Average,
  ): { scores: CalibratedScores; probabilities: Float32Array } | undefined => {
    if (!calibration) return undefined;
    const temperature = fitEnsembleTemperature(
      names.map((n) => calibration.logits.get(n)!),
      calibration.labels,
      classes,
      w,
      average,
    );
    const test = names.map((n) => memberLogits[job.members.findIndex((m) => m.name === n)]!);
    const probabilities = calibratedProbabilities(test, classes, w, average, temperature);
    return { scores: { temperature: r(temperature), ...scoresOf(probabilities) }, probabilities };
  };

  const methods = new Set(job.ensemble.methods);
  const ensemble: Report['ensemble'] = {};
  if (methods.has('hard')) {
    ensemble.hard = { accuracy: r(accuracy(hardVote(memberLogits, classes, weights), testLabels)) };
  }
  if (methods.has('soft')) {
    const soft = softVote(memberProbabilities, classes, weights);
    ensemble.soft = { ...scoresOf(soft), reliability: roundBins(soft, testLabels, classes) };
    const calibrated = calibrate(
      job.members.map((m) => m.name),
      weights,
      'probabilities',
    );
    if (calibrated) {
      ensemble.soft.calibrated = {
        ...calibrated.scores,
        reliability: roundBins(calibrated.probabilities, testLabels, classes),
      };
    }
  }
  if (methods.has('stacking')) {
    const logits = checked(inputs.stackingTestLogits, 'the stacking combiner');
    const result = resultOf(records, 'stack', 'stack');
    const folds = job.ensemble.stacking.folds;
    const outOfFold =
      folds !== undefined
        ? checked(inputs.stackingOutOfFoldTestLogits, 'the out-of-fold stacking combiner')
        : undefined;
    ensemble.stacking = {
      ...scoresOf(softmaxRows(logits, classes)),
      ...(result
        ? { trainSeconds: roundSeconds(result.seconds), history: roundHistory(result.history) }
        : {}),
      ...(outOfFold && folds !== undefined
        ? {
            outOfFold: {
              ...scoresOf(softmaxRows(outOfFold, classes)),
              folds,
              ...(result?.outOfFold ? { history: roundHistory(result.outOfFold.history) } : {}),
            },
          }
        : {}),
    };
  }

  const teacherPick = teacherWeights(job);
  const teacherLogits = teacherPick.members.map(
    (name) => memberLogits[job.members.findIndex((m) => m.name === name)]!,
  );
  const teacherProbabilities =
    job.teacher.softTargets === 'logits'
      ? softmaxRows(meanLogits(teacherLogits, classes, teacherPick.weights), classes)
      : softVote(
          teacherLogits.map((t) => softmaxRows(t, classes)),
          classes,
          teacherPick.weights,
        );
  const teacherClasses = argmaxRows(teacherProbabilities, classes);
  const teacherCalibrated = calibrate(teacherPick.members, teacherPick.weights, job.teacher.softTargets);
  const teacher: Report['teacher'] = {
    members: teacherPick.members,
    softTargets: job.teacher.softTargets,
    ...scoresOf(teacherProbabilities),
    ...(teacherCalibrated ? { calibrated: teacherCalibrated.scores } : {}),
  };

  const student = job.distillation?.student;
  const students: StudentReport[] = (job.distillation?.runs ?? []).map((run) => {
    const logits = checked(inputs.studentTestLogits.get(run.name), `student ${run.name}`);
    const result = resultOf(records, `distill:${run.name}`, 'distill');
    return {
      name: run.name,
      kind: run.kind,
      origin: modelOrigin(student ?? {}),
      ...(result?.parameters !== undefined ? { parameters: result.parameters } : {}),
      ...(run.kind === 'distilled' ? { temperature: run.temperature, alpha: run.alpha } : {}),
      ...scoresOf(softmaxRows(logits, classes)),
      agreementWithTeacher: r(agreement(argmaxRows(logits, classes), teacherClasses)),
      trainSeconds: roundSeconds(result?.seconds ?? 0),
      ...(result
        ? { epochs: result.epochs, history: roundHistory(result.history), ...trainingEndOf(result) }
        : {}),
      ...(run.kind === 'distilled' ? { teacherTargets: run.teacherTargets } : {}),
      ...(result?.teacherSeconds !== undefined
        ? { teacherSeconds: roundSeconds(result.teacherSeconds) }
        : {}),
    };
  });

  const distillation = summariseDistillation(students, teacher.accuracy);
  const softVoteProbabilities = softVote(memberProbabilities, classes, weights);
  const diagnostics = ensembleDiagnostics({
    names: job.members.map((m) => m.name),
    memberLogits,
    memberProbabilities,
    softVote: softVoteProbabilities,
    classes,
    memberNll: memberProbabilities.map((p) => negativeLogLikelihood(p, testLabels, classes)),
    softVoteNll: negativeLogLikelihood(softVoteProbabilities, testLabels, classes),
    ...(inputs.outOfBag ? { outOfBag: inputs.outOfBag } : {}),
  });
  return {
    job: job.name,
    backend: inputs.backend,
    chorusVersion: chorusVersion(),
    createdAt: inputs.createdAt ?? new Date().toISOString(),
    dataset: { ...counts },
    members,
    bestMember: best(members)?.name ?? '',
    meanMember: {
      accuracy: r(mean(members.map((m) => m.accuracy))),
      nll: r(mean(members.map((m) => m.nll))),
      ece: r(mean(members.map((m) => m.ece))),
    },
    ensemble,
    teacher,
    students,
    ...(distillation ? { distillation } : {}),
    diagnostics,
    timing: timingOf(records, inputs.wallSeconds),
  };
}

/** Where a member's or the student's model came from, as the report states it. */
function modelOrigin(recipe: { model?: ModelFile; pretrained?: true }): ModelOrigin {
  const training = recipe.pretrained ? 'pretrained' : 'trained';
  if (!recipe.model) return { from: 'layers', training };
  return { from: 'file', file: recipe.model.path, weights: recipe.model.weights, training };
}

/** The validation labels and every member's validation logits, checked; calibration needs them. */
function validationOf(inputs: ReportInputs): { labels: Int32Array; logits: Map<string, Float32Array> } {
  const { job, counts } = inputs;
  const labels = inputs.validationLabels;
  const logits = inputs.memberValidationLogits;
  if (labels === undefined || logits === undefined) {
    throw new NonRetryableError(
      'report: ensemble.calibrate needs the validation labels and the members’ validation logits',
    );
  }
  if (labels.length !== counts.validation || labels.length === 0) {
    throw new NonRetryableError(
      `report: ${labels.length} validation labels, but counts.validation is ${counts.validation} (calibration needs > 0)`,
    );
  }
  for (const m of job.members) {
    const t = logits.get(m.name);
    if (t === undefined) throw new NonRetryableError(`report: no validation logits for member ${m.name}`);
    if (t.length !== labels.length * counts.classes) {
      throw new NonRetryableError(
        `report: member ${m.name}'s validation logits have ${t.length} values, expected ${labels.length} × ${counts.classes}`,
      );
    }
  }
  return { labels, logits };
}

/** A done task's result, if it has the expected type. */
export function resultOf<T extends TaskResult['type']>(
  records: Map<string, TaskRecord>,
  id: string,
  type: T,
): Extract<TaskResult, { type: T }> | undefined {
  const result = records.get(id)?.result;
  return result?.type === type ? (result as Extract<TaskResult, { type: T }>) : undefined;
}

export function roundHistory(history: TrainingHistory): TrainingHistory {
  return {
    loss: history.loss.map((v) => r(v)),
    ...(history.valLoss ? { valLoss: history.valLoss.map((v) => r(v)) } : {}),
    ...(history.valAccuracy ? { valAccuracy: history.valAccuracy.map((v) => r(v)) } : {}),
    ...(history.learningRate ? { learningRate: history.learningRate.map((v) => r(v)) } : {}),
  };
}

/** The epoch early stopping ended on, and the best epoch, when it ended training early. */
export function trainingEndOf(result: TrainingEnd & { epochs: number }): {
  stoppedAtEpoch?: number;
  bestEpoch?: number;
} {
  return {
    ...(result.epochsRun !== undefined && result.epochsRun < result.epochs
      ? { stoppedAtEpoch: result.epochsRun }
      : {}),
    ...(result.bestEpoch !== undefined ? { bestEpoch: result.bestEpoch } : {}),
  };
}

function roundBins(probabilities: Float32Array, labels: Int32Array, classes: number): ReportBin[] {
  return reliabilityBins(probabilities, labels, classes).map((b) => ({
    lower: r(b.lower),
    upper: r(b.upper),
    count: b.count,
    meanConfidence: b.meanConfidence === null ? null : r(b.meanConfidence),
    accuracy: b.accuracy === null ? null : r(b.accuracy),
  }));
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Highest accuracy; ties go to the lower NLL, then to the first listed. */
function best<T extends Scores>(items: readonly T[]): T | undefined {
  let top: T | undefined;
  for (const item of items) {
    if (!top || item.accuracy > top.accuracy || (item.accuracy === top.accuracy && item.nll < top.nll))
      top = item;
  }
  return top;
}

function summariseDistillation(
  students: StudentReport[],
  teacherAccuracy: number,
): DistillationSummary | undefined {
  const top = best(students.filter((s) => s.kind === 'distilled'));
  if (!top) return undefined;
  const baseline = students.find((s) => s.kind === 'baseline');
  const summary: DistillationSummary = { bestStudent: top.name, bestAccuracy: top.accuracy };
  if (baseline) {
    summary.baseline = baseline.name;
    summary.baselineAccuracy = baseline.accuracy;
    const gap = teacherAccuracy - baseline.accuracy;
    // With no gap to close (the baseline already matches the teacher) the share is undefined.
    if (gap > 0) summary.gapRecovered = r((top.accuracy - baseline.accuracy) / gap);
  }
  return summary;
}

export function timingOf(records: Map<string, TaskRecord>, wallSeconds: number): TimingReport {
  const byType: TimingReport['byType'] = {};
  let taskSeconds = 0;
  let retries = 0;
  const gpuTasks: GpuTaskTiming[] = [];
  for (const record of records.values()) {
    retries += Math.max(0, record.attempts - 1);
    const result = record.result;
    if (!result) continue;
    const type: TaskType = result.type;
    if (result.gpu !== undefined)
      gpuTasks.push({ task: record.id, type, gpu: result.gpu, seconds: roundSeconds(result.seconds) });
    const entry = byType[type] ?? { tasks: 0, seconds: 0 };
    entry.tasks += 1;
    entry.seconds += result.seconds;
    byType[type] = entry;
    taskSeconds += result.seconds;
  }
  for (const entry of Object.values(byType)) entry.seconds = roundSeconds(entry.seconds);
  return {
    wallSeconds: roundSeconds(wallSeconds),
    taskSeconds: roundSeconds(taskSeconds),
    parallelism: wallSeconds > 0 ? r(taskSeconds / wallSeconds, 3) : 0,
    byType,
    retries,
    ...(gpuTasks.length > 0 ? { gpuTasks } : {}),
  };
}
