import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The default cache folder of a worker process: one per process, under the OS temp folder. */
export const WORKER_FOLDER_PREFIX = 'chorus-worker-';

export function defaultWorkerFolder(tempDir: string, pid: number = process.pid): string {
  return join(tempDir, `${WORKER_FOLDER_PREFIX}${pid}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * Removes the default cache folders (`chorus-worker-<pid>` in `tempDir`) of this user's worker
 * processes that no longer run: a worker removes its own when it stops, but not when it is killed.
 * Returns the folders removed.
 */
export async function removeEndedWorkerFolders(tempDir: string): Promise<string[]> {
  const uid = process.getuid?.();
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(tempDir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = /^chorus-worker-(\d+)$/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isRunning(Number(pid))) continue;
    const path = join(tempDir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    removed.push(path);
  }
  return removed;
}
