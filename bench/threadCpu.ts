import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime/stime: 100 on every mainstream Linux build. */
const CLK_TCK = 100;

/**
 * CPU seconds (user + system) of each thread of this process, by thread id, from /proc/self/task.
 * Tells the thread that trains apart from the helpers (main thread, GC, libuv). Undefined off Linux.
 */
export function threadCpuSeconds(): Map<number, number> | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return out;
}

/** CPU seconds the busiest thread spent between two snapshots (threads new since `before` count from 0). */
export function busiestThreadDelta(before: Map<number, number>, after: Map<number, number>): number {
  let max = 0;
  for (const [tid, s] of after) max = Math.max(max, s - (before.get(tid) ?? 0));
  return max;
}
