import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';
import type { Report } from '../../core/report/report.ts';
import { renderHtml } from './renderHtml.ts';
import { renderMarkdown } from './renderMarkdown.ts';

export const REPORT_KEYS = { json: 'report.json', markdown: 'report.md', html: 'report.html' } as const;

/** Writes `report.json` (pretty-printed), `report.md` and `report.html` to the run's store. */
export async function writeReport(report: Report, store: ArtifactStore): Promise<void> {
  const encoder = new TextEncoder();
  await store.put(REPORT_KEYS.json, encoder.encode(`${JSON.stringify(report, null, 2)}\n`));
  await store.put(REPORT_KEYS.markdown, encoder.encode(renderMarkdown(report)));
  await store.put(REPORT_KEYS.html, encoder.encode(renderHtml(report)));
}
