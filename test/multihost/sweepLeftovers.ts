import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMP_PREFIX } from './multiHostCluster.ts';
import { listNamespaces, NAMESPACE_NAME, removeNamespace } from './netnsLab.ts';

/**
 * Removes namespaces (and the processes in them) and temporary folders left by an earlier run of
 * these tests that died before cleaning up: those named with a creator's pid that is gone. A
 * concurrent run's (its creator is alive) are left alone. Returns the names removed.
 */
export async function sweepLeftovers(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await listNamespaces()) {
    const m = NAMESPACE_NAME.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    await removeNamespace(name);
    removed.push(name);
  }
  const folder = new RegExp(`^${TEMP_PREFIX}(\\d+)-`);
  for (const name of await readdir(tmpdir())) {
    const m = folder.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    await rm(join(tmpdir(), name), { recursive: true, force: true });
    removed.push(join(tmpdir(), name));
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
