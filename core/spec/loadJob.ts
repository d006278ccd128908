import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { JobSpecError } from '../errors.ts';
import { formatIssues } from './formatIssues.ts';
import { jobSpec } from './job.ts';
import type { ResolvedJob } from './resolvedJob.ts';
import { resolveJob } from './resolveJob.ts';
import { SPEC_LIMITS } from './specLimits.ts';

/** A resolved job and the folder its relative data paths are read from. */
export interface LoadedJob {
  job: ResolvedJob;
  baseDir: string;
  /** The job file's text, kept so a run can record exactly what it ran. */
  text: string;
}

const LIMIT_TEXT = `${SPEC_LIMITS.jobTextBytes / 1024} KiB`;

/**
 * Parses YAML (or JSON, a subset of YAML) job text, validates it and expands it.
 * Throws JobSpecError listing every problem by path (or by line for YAML errors) and nothing else,
 * whatever the text: size, nesting and alias expansion are bounded. `source` names the file in messages.
 */
export function parseJobText(text: string, source = 'job'): ResolvedJob {
  const fail = (path: string, message: string): never => {
    throw new JobSpecError([{ path, message }], source);
  };
  if (text.length > SPEC_LIMITS.jobTextBytes || Buffer.byteLength(text) > SPEC_LIMITS.jobTextBytes) {
    fail('', `the job text is ${Buffer.byteLength(text)} bytes, over the limit of ${LIMIT_TEXT}`);
  }
  const lineCounter = new LineCounter();
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    // YAML would read most binary files as one odd string; say what it is instead.
    const pos = positionOf(text, nul);
    fail(pos, 'binary data, not YAML or JSON text (a NUL character)');
  }
  // logLevel 'error': YAML warnings (e.g. a list used as a key) must not go to the process's stderr.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter, logLevel: 'error' });
  if (doc.errors.length > 0) {
    throw new JobSpecError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: `line ${pos.line}, column ${pos.col}`, message: `YAML: ${yamlProblem(e, text)}` };
      }),
      source,
    );
  }
  let raw: unknown;
  try {
    // toJS expands aliases; the yaml package bounds that (maxAliasCount), throwing a ReferenceError.
    raw = doc.toJS();
  } catch (err) {
    const aliases = err instanceof ReferenceError && /alias/i.test(err.message);
    fail(
      '',
      aliases
        ? 'YAML: aliases (*name) expand to too much data; refused as a possible "billion laughs" attack'
        : `YAML: ${isStackOverflow(err) ? 'nested too deeply to read' : messageOf(err)}`,
    );
  }
  if (raw === null || raw === undefined) fail('', 'the job file is empty');
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    fail('', 'expected a mapping of keys (name, data, members, …) at the top level');
  }
  const parsed = jobSpec.safeParse(raw);
  if (!parsed.success) throw new JobSpecError(formatIssues(parsed.error.issues, raw), source);
  return resolveJob(parsed.data, source);
}

/** Reads, validates and expands a job file; relative data paths resolve against its folder. */
export async function loadJobFile(path: string): Promise<LoadedJob> {
  const text = decodeJobFile(await readBounded(path), path);
  return { job: parseJobText(text, path), baseDir: dirname(resolve(path)), text };
}

/**
 * Reads at most the size limit plus one byte, so that a huge file, a device such as /dev/zero or a
 * FIFO that never ends is refused without being read whole.
 */
async function readBounded(path: string): Promise<Buffer> {
  const cannot = (reason: string): JobSpecError =>
    new JobSpecError([{ path: '', message: `cannot read the job file: ${reason}` }], path);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw cannot(readProblem(err));
  }
  try {
    if ((await handle.stat()).isDirectory()) throw cannot('it is a directory');
    const max = SPEC_LIMITS.jobTextBytes;
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > max) {
        throw new JobSpecError(
          [
            {
              path: '',
              message: `the job file is over the limit of ${LIMIT_TEXT} (job files are small; data goes in data files)`,
            },
          ],
          path,
        );
      }
    }
    return buffer.subarray(0, length);
  } catch (err) {
    if (err instanceof JobSpecError) throw err;
    throw cannot(readProblem(err));
  } finally {
    await handle.close();
  }
}

/** UTF-8 text, or a JobSpecError saying where the file stops being text. */
function decodeJobFile(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const at = Math.max(0, lossy.indexOf('\uFFFD'));
    throw new JobSpecError(
      [{ path: positionOf(lossy, at), message: 'binary data, not YAML or JSON text (invalid UTF-8)' }],
      path,
    );
  }
}

function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return messageOf(err);
}

/** The YAML parser's message, first line only, said plainly for the cases users meet. */
function yamlProblem(e: YAMLError, text: string): string {
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^[^:\n]{1,60}/.exec(text.slice(e.pos[0]))?.[0]?.trim();
    return `duplicate key${key ? ` ${key}` : ''}: keys must be unique within a mapping`;
  }
  if (isStackOverflow(e)) return 'nested too deeply to read';
  return firstLine(e.message);
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof Error && /Maximum call stack size exceeded/.test(err.message);
}

/** `line L, column C` (1-based) of a character offset in `text`. */
function positionOf(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

function messageOf(err: unknown): string {
  return firstLine(err instanceof Error ? err.message : String(err));
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
