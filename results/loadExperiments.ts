import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../core/report/report.ts';
import { ChorusError } from '../core/errors.ts';
import { loadJobFile } from '../core/spec/loadJob.ts';
import type { ResultsExperiment } from './renderResults.ts';

/** The experiments whose reports were read, and the job files whose run has not written one yet. */
export interface LoadedExperiments {
  experiments: ResultsExperiment[];
  notRun: string[];
}

/**
 * Reads each job file (validated like `chorus run` does, for its name and title) and the report.json its
 * run wrote under `<runsDir>/<job name>/`. Throws a ChorusError naming the file when either is unreadable,
 * and when a report is missing unless `allowNotRun`: then the job file is listed in `notRun`, for the page
 * to name (a results page must not leave a row out silently).
 */
export async function loadExperiments(
  jobFiles: readonly string[],
  runsDir: string,
  allowNotRun = false,
): Promise<LoadedExperiments> {
  const experiments: ResultsExperiment[] = [];
  const notRun: string[] = [];
  for (const jobFile of jobFiles) {
    const { job, text } = await loadJobFile(jobFile);
    const reportFile = join(runsDir, job.name, 'report.json');
    if (allowNotRun && !existsSync(reportFile)) {
      notRun.push(jobFile);
      continue;
    }
    experiments.push({
      jobFile,
      title: titleOf(text) ?? job.name,
      report: await readReport(reportFile, jobFile),
    });
  }
  return { experiments, notRun };
}

/** The title from a first line `# title: …`, if the job file has one. */
export function titleOf(jobText: string): string | undefined {
  const first = jobText.split(/\r?\n/, 1)[0] ?? '';
  const match = /^#\s*title:\s*(.*\S)\s*$/.exec(first);
  return match?.[1];
}

async function readReport(file: string, jobFile: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(err)})`;
    throw new ChorusError(`${file}: ${why}; run \`node cli/bin.mjs run ${jobFile}\` first`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ChorusError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const missing = missingReportFields(value);
  if (missing.length > 0) {
    throw new ChorusError(`${file}: not a Chorus report (missing or malformed: ${missing.join(', ')})`);
  }
  return value as Report;
}

const OBJECT_FIELDS = ['dataset', 'meanMember', 'ensemble', 'teacher', 'timing'] as const;
const STRING_FIELDS = ['job', 'backend', 'createdAt', 'bestMember'] as const;
const ARRAY_FIELDS = ['members', 'students'] as const;

/** A shallow check of the fields renderResults reads: enough to name a wrong or truncated file. */
function missingReportFields(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['the top-level object'];
  const r = value as Record<string, unknown>;
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  return [
    ...STRING_FIELDS.filter((k) => typeof r[k] !== 'string'),
    ...OBJECT_FIELDS.filter((k) => !isObject(r[k])),
    ...ARRAY_FIELDS.filter((k) => !Array.isArray(r[k])),
  ];
}
