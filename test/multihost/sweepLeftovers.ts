import { listNamespaces, NAMESPACE_NAME, removeNamespace } from './netnsLab.ts';

/**
 * Removes namespaces (and the processes in them) left by an earlier run of these tests that died
 * before cleaning up: those named by NetnsLab whose creating process is gone. A concurrent run's
 * namespaces (its creator is alive) are left alone. Returns the names removed.
 */
export async function sweepLeftovers(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await listNamespaces()) {
    const m = NAMESPACE_NAME.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    await removeNamespace(name);
    removed.push(name);
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
