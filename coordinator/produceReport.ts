import type { ArtifactStore } from '../core/artifacts/artifactStore.ts';
import { ensureMainThreadBackend } from '../core/backend/mainThreadBackend.ts';
import type { ResolvedJob } from '../core/spec/resolvedJob.ts';
import type { PreparedData } from '../core/tasks/taskContext.ts';
import { computeReport } from './report/computeReport.ts';
import { exportEnsembleModel } from './report/exportEnsemble.ts';
import { gatherReportInputs } from './report/gatherReportInputs.ts';
import type { Report } from '../core/report/report.ts';
import { writeReport } from './report/writeReport.ts';
import type { TaskRecord } from '../core/tasks/taskRecord.ts';

export interface ProduceReportOptions {
  job: ResolvedJob;
  store: ArtifactStore;
  records: ReadonlyMap<string, TaskRecord>;
  data: PreparedData;
  wallSeconds: number;
  /** Backend to name when no task result says which one it used. */
  fallbackBackend?: string;
  /**
   * Awaited between the report's CPU-heavy steps (each model load, the ensemble build, the metrics), so
   * a coordinator writing several reports at once keeps serving timers and sockets in between.
   */
  yieldTurn?: () => Promise<void>;
}

/**
 * The report task, the same in both modes: exports the averaging ensemble model, aggregates every
 * member's, the combiner's and the students' test logits, and writes report.json/md/html.
 */
export async function produceReport(o: ProduceReportOptions): Promise<Report> {
  const yieldTurn = o.yieldTurn ?? (() => Promise.resolve());
  await ensureMainThreadBackend();
  await exportEnsembleModel(o.job, o.store, { validationLabels: o.data.validation.y, yieldTurn });
  await yieldTurn();
  const inputs = await gatherReportInputs({
    job: o.job,
    store: o.store,
    records: new Map(o.records),
    counts: {
      train: o.data.train.count,
      validation: o.data.validation.count,
      test: o.data.test.count,
      classes: o.data.classes,
    },
    testLabels: o.data.test.y,
    validationLabels: o.data.validation.y,
    backend: backendName(o.records, o.fallbackBackend),
    wallSeconds: o.wallSeconds,
  });
  await yieldTurn();
  const report = computeReport(inputs);
  await yieldTurn();
  await writeReport(report, o.store);
  return report;
}

function backendName(records: ReadonlyMap<string, TaskRecord>, fallback: string | undefined): string {
  for (const r of records.values()) {
    if (r.result && 'backend' in r.result) return r.result.backend;
  }
  return fallback ?? 'unknown';
}
