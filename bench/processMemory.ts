import { readFile, writeFile } from 'node:fs/promises';

/** A process's resident memory from /proc/<pid>/status (Linux), in MB (10^6 bytes). */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  rssMB: number;
  /** VmHWM: the peak resident size since start, or since the last `resetPeakMemory`. */
  peakMB: number;
}

export async function processMemory(pid: number): Promise<ProcessMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m?.[1]) throw new Error(`/proc/${pid}/status has no ${field}`);
    return (Number(m[1]) * 1024) / 1e6;
  };
  return { rssMB: kB('VmRSS'), peakMB: kB('VmHWM') };
}

/**
 * Resets VmHWM to the current RSS (`5` to /proc/<pid>/clear_refs, Linux ≥ 4.0), so that a later
 * reading is the peak of one phase rather than of the process's whole life. False when refused.
 */
export async function resetPeakMemory(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU seconds the process has used (/proc/<pid>/stat, fields 14 and 15). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}
