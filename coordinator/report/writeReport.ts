import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import { isRegressionReport, type JobReport } from '../../core/report/regressionReport.ts';
import { renderHtml } from './renderHtml.ts';
import { renderMarkdown } from './renderMarkdown.ts';
import { renderRegressionHtml } from './regression/renderRegressionHtml.ts';
import { renderRegressionMarkdown } from './regression/renderRegressionMarkdown.ts';

export const REPORT_KEYS = { json: 'report.json', markdown: 'report.md', html: 'report.html' } as const;

/** Writes `report.json` (pretty-printed), `report.md` and `report.html` to the run's store. */
export async function writeReport(report: JobReport, store: ArtifactStore): Promise<void> {
  const encoder = new TextEncoder();
  const regression = isRegressionReport(report);
  await store.put(REPORT_KEYS.json, encoder.encode(`${JSON.stringify(report, null, 2)}\n`));
  await store.put(
    REPORT_KEYS.markdown,
    encoder.encode(regression ? renderRegressionMarkdown(report) : renderMarkdown(report)),
  );
  await store.put(
    REPORT_KEYS.html,
    encoder.encode(regression ? renderRegressionHtml(report) : renderHtml(report)),
  );
}
