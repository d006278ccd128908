import type { JobStatus, JobSummary, WorkerInfo } from '../../cluster/api/apiTypes.ts';

/** The text tables of `chorus status`, `jobs` and `workers`. */

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return (
    rows
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function time(ms: number | undefined): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-';
}

function counts(s: JobSummary): string {
  const c = s.counts;
  return `${c.done} done, ${c.running} running, ${c.queued} queued, ${c.pending} pending, ${c.failed} failed`;
}

/** Its class, its client when known, and the slots it holds while it runs. */
function share(s: JobSummary): string {
  return `priority ${s.priority}${s.client !== undefined ? `, client ${s.client}` : ''}${s.state === 'running' ? `, ${s.slots} slot(s)` : ''}`;
}

export function renderStatus(s: JobStatus): string {
  const head = `job ${s.jobId} (${s.name}): ${s.state}; ${share(s)}; ${counts(s)}${s.error ? `\nerror: ${s.error}` : ''}\n\n`;
  const rows = [['task', 'state', 'attempts', 'started', 'finished', 'last error']];
  for (const t of s.tasks) {
    rows.push([
      t.id,
      t.state,
      String(t.attempts),
      time(t.startedAt),
      time(t.finishedAt),
      (t.lastError ?? '').slice(0, 60),
    ]);
  }
  return head + table(rows);
}

export function renderJobs(jobs: JobSummary[]): string {
  if (jobs.length === 0) return 'no jobs\n';
  const rows = [['job', 'name', 'state', 'priority', 'client', 'slots', 'tasks', 'submitted']];
  for (const j of jobs) {
    rows.push([
      j.jobId,
      j.name,
      j.state,
      j.priority,
      j.client ?? '-',
      j.state === 'running' ? String(j.slots) : '-',
      counts(j),
      time(j.submittedAt),
    ]);
  }
  return table(rows);
}

export function renderWorkers(workers: WorkerInfo[]): string {
  if (workers.length === 0) return 'no workers connected\n';
  const rows = [['worker', 'host', 'slots', 'busy', 'backend', 'isolation', 'gpus', 'last seen']];
  for (const w of workers)
    rows.push([
      w.workerId,
      w.host,
      String(w.slots),
      String(w.busy),
      w.backend,
      w.isolation ?? '-',
      gpuSlots(w.gpus),
      time(w.lastSeen),
    ]);
  return table(rows);
}

/** `0×2,1×2`: each GPU and its slots, from the per-slot list of a heartbeat. */
function gpuSlots(gpus: readonly number[] | undefined): string {
  if (gpus === undefined || gpus.length === 0) return '-';
  const counts = new Map<number, number>();
  for (const gpu of gpus) counts.set(gpu, (counts.get(gpu) ?? 0) + 1);
  return [...counts].map(([gpu, n]) => `${gpu}×${n}`).join(',');
}
