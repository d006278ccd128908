import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { JobSpecError } from '../errors.ts';
import { formatIssues } from './formatIssues.ts';
import { jobSpec } from './job.ts';
import type { ResolvedJob } from './resolvedJob.ts';
import { resolveJob } from './resolveJob.ts';

/** A resolved job and the folder its relative data paths are read from. */
export interface LoadedJob {
  job: ResolvedJob;
  baseDir: string;
  /** The job file's text, kept so a run can record exactly what it ran. */
  text: string;
}

/**
 * Parses YAML (or JSON, a subset of YAML) job text, validates it and expands it.
 * Throws JobSpecError listing every problem by path; `source` names the file in messages.
 */
export function parseJobText(text: string, source = 'job'): ResolvedJob {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    throw new JobSpecError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: `line ${pos.line}, column ${pos.col}`, message: `YAML: ${firstLine(e.message)}` };
      }),
      source,
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    throw new JobSpecError([{ path: '', message: 'the job file is empty' }], source);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new JobSpecError(
      [{ path: '', message: 'expected a mapping of keys (name, data, members, …) at the top level' }],
      source,
    );
  }
  const parsed = jobSpec.safeParse(raw);
  if (!parsed.success) throw new JobSpecError(formatIssues(parsed.error.issues, raw), source);
  return resolveJob(parsed.data, source);
}

/** Reads, validates and expands a job file; relative data paths resolve against its folder. */
export async function loadJobFile(path: string): Promise<LoadedJob> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((err as Error).message);
    throw new JobSpecError([{ path: '', message: `cannot read the job file: ${reason}` }], path);
  }
  return { job: parseJobText(text, path), baseDir: dirname(resolve(path)), text };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
