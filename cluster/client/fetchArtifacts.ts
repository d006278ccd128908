import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ChorusError } from '../../core/errors.ts';
import type { ArtifactInfo } from '../api/apiTypes.ts';
import type { CoordinatorConnection } from './coordinatorConnection.ts';

/**
 * Downloads a done job's files (report.json, report.md, report.html, every model) into a folder laid
 * out as `chorus run`'s output folder. Resumable: a file already there whole (the size and SHA-256 the
 * coordinator lists) is not downloaded again; a file is written under a `.part` name and renamed only
 * once its size and digest match, so an interrupted run leaves no file that looks complete.
 */

export interface FetchProgress {
  /** The file arriving now, and its bytes so far. */
  file: ArtifactInfo;
  received: number;
  /** Over every file being downloaded in this run. */
  bytesDone: number;
  bytesTotal: number;
}

export interface FetchPlan {
  /** Every file of the job. */
  files: ArtifactInfo[];
  /** Those already here whole, not downloaded again. */
  kept: ArtifactInfo[];
  /** Those downloaded in this run. */
  wanted: ArtifactInfo[];
}

export interface FetchOptions {
  /** Told what will be downloaded, before any byte is. */
  onPlan?: (plan: FetchPlan) => void;
  /** Told as bytes arrive (at most once per received piece). */
  onProgress?: (progress: FetchProgress) => void;
  /** Told each time a file is complete and in place. */
  onFile?: (file: ArtifactInfo, progress: FetchProgress) => void;
  signal?: AbortSignal;
}

/** Where a listed file goes under `outDir` (its path was checked to stay inside). */
export function localPath(outDir: string, file: ArtifactInfo): string {
  return join(outDir, ...file.path.split('/'));
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** True when `path` holds exactly the listed file. */
export async function isComplete(path: string, file: ArtifactInfo): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size !== file.size) return false;
  return (await sha256OfFile(path)) === file.sha256;
}

interface Incoming {
  file: ArtifactInfo;
  target: string;
  part: string;
  handle: FileHandle;
  hash: Hash;
  received: number;
}

/** Downloads what is missing of the job's files into `outDir`; returns what was kept and downloaded. */
export async function fetchArtifacts(
  client: CoordinatorConnection,
  jobId: string,
  outDir: string,
  options: FetchOptions = {},
): Promise<FetchPlan> {
  const files = await client.listArtifacts(jobId);
  const kept: ArtifactInfo[] = [];
  const wanted: ArtifactInfo[] = [];
  for (const file of files) ((await isComplete(localPath(outDir, file), file)) ? kept : wanted).push(file);
  const plan = { files, kept, wanted };
  options.onPlan?.(plan);
  if (wanted.length === 0) return plan;

  const pending = new Map(wanted.map((f) => [f.path, f]));
  const bytesTotal = wanted.reduce((n, f) => n + f.size, 0);
  let bytesDone = 0;
  let current: Incoming | undefined;
  const progress = (c: Incoming): FetchProgress => ({
    file: c.file,
    received: c.received,
    bytesDone,
    bytesTotal,
  });
  try {
    const pieces = client.getArtifacts(jobId, {
      paths: wanted.map((f) => f.path),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const piece of pieces) {
      if (piece.type === 'file') {
        if (current) throw damaged(current.file.path, 'a new file began before it ended');
        if (!pending.delete(piece.file.path)) {
          throw new ChorusError(`the coordinator sent ${piece.file.path}, which was not asked for`);
        }
        const target = localPath(outDir, piece.file);
        await mkdir(dirname(target), { recursive: true });
        const part = `${target}.part`;
        current = {
          file: piece.file,
          target,
          part,
          handle: await open(part, 'w'),
          hash: createHash('sha256'),
          received: 0,
        };
        continue;
      }
      const c = current;
      if (!c || piece.path !== c.file.path)
        throw new ChorusError('the coordinator sent bytes of no file it announced');
      if (piece.offset !== c.received)
        throw damaged(c.file.path, `a piece at byte ${piece.offset}, expected ${c.received}`);
      if (c.received + piece.bytes.byteLength > c.file.size)
        throw damaged(c.file.path, 'more bytes than announced');
      await c.handle.write(piece.bytes);
      c.hash.update(piece.bytes);
      c.received += piece.bytes.byteLength;
      bytesDone += piece.bytes.byteLength;
      options.onProgress?.(progress(c));
      if (!piece.last) continue;
      await c.handle.close();
      if (c.received !== c.file.size) throw damaged(c.file.path, `${c.received} of ${c.file.size} bytes`);
      if (c.hash.digest('hex') !== c.file.sha256) throw damaged(c.file.path, 'its SHA-256 does not match');
      await rename(c.part, c.target);
      current = undefined;
      options.onFile?.(c.file, progress(c));
    }
  } catch (err) {
    if (current) {
      await current.handle.close().catch(() => undefined);
      await rm(current.part, { force: true });
    }
    throw err;
  }
  if (current || pending.size > 0) {
    const missing = current?.file.path ?? [...pending.keys()][0] ?? '';
    throw new ChorusError(
      `the download of job ${jobId} ended before ${missing} arrived; run it again to resume`,
    );
  }
  return plan;
}

function damaged(path: string, why: string): ChorusError {
  return new ChorusError(`${path} arrived damaged (${why}); run the same command again to fetch it anew`);
}
