import { unwatchFile, watchFile, type Stats } from 'node:fs';

/**
 * Calls `onChange` when any of `paths` changes (size, mtime or inode), polling every `intervalMs`.
 * Polling, not fs.watch: a Kubernetes Secret volume swaps a symlink, which `stat` follows and
 * inotify on the old target misses. Changes within one poll are coalesced into one call. The
 * watchers do not keep the process alive. Returns a function that stops watching.
 */
export function watchFiles(paths: readonly string[], intervalMs: number, onChange: () => void): () => void {
  let pending: NodeJS.Timeout | undefined;
  const listener = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      onChange();
    }, 50);
    pending.unref();
  };
  for (const path of paths) watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => {
    if (pending) clearTimeout(pending);
    for (const path of paths) unwatchFile(path, listener);
  };
}
