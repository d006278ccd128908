import type { SubmittedJob } from '../cluster/api/apiTypes.ts';
import type { Report } from '../core/report/report.ts';
import type { LoadCluster } from './loadCluster.ts';

/** What the load benchmark checks once every job has ended: the state must be exactly what the plans say. */
export interface LoadConsistency {
  jobs: number;
  /** Jobs whose state is `done`. */
  jobsDone: number;
  /** Tasks in the plans (the report task included). */
  tasksPlanned: number;
  /**
   * Tasks done exactly once: state `done` with attempts 1 (getJob) and, for the tasks a worker runs,
   * exactly one result on the result stream, final, successful, from the first delivery.
   */
  tasksOnce: number;
  /** Jobs whose report exists and lists every member. */
  reportsComplete: number;
  /** Worker tasks with more than one result message, with none, or with a redelivery. */
  duplicateResults: number;
  missingResults: number;
  redeliveries: number;
  /** The first problems found, for the details. */
  problems: string[];
}

/**
 * Checks the jobs through the API the users have (getJob, getReport) and the result stream itself: every
 * job `done`, every planned task `done` once at attempt 1, one final result per worker task, a report
 * per job with all its members.
 */
export async function checkLoadConsistency(
  cluster: LoadCluster,
  submitted: readonly SubmittedJob[],
  members: number,
): Promise<LoadConsistency> {
  const api = cluster.api();
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 20) problems.push(text);
  };
  const results = await cluster.resultMessages();
  const byTask = new Map<string, typeof results>();
  for (const r of results) {
    const key = `${r.jobId} ${r.taskId}`;
    byTask.set(key, [...(byTask.get(key) ?? []), r]);
  }

  const out: LoadConsistency = {
    jobs: submitted.length,
    jobsDone: 0,
    tasksPlanned: 0,
    tasksOnce: 0,
    reportsComplete: 0,
    duplicateResults: 0,
    missingResults: 0,
    redeliveries: 0,
    problems,
  };
  for (const job of submitted) {
    const status = await api.getJob(job.jobId);
    if (status.state === 'done') out.jobsDone++;
    else problem(`${job.jobId}: ${status.state}${status.error ? ` (${status.error})` : ''}`);
    out.tasksPlanned += job.tasks;
    if (status.tasks.length !== job.tasks) {
      problem(`${job.jobId}: ${status.tasks.length} tasks, ${job.tasks} planned`);
    }
    for (const t of status.tasks) {
      let once = t.state === 'done' && t.attempts === 1;
      if (!once) problem(`${job.jobId} ${t.id}: ${t.state}, attempts ${t.attempts}`);
      if (t.type !== 'report') {
        const rs = byTask.get(`${job.jobId} ${t.id}`) ?? [];
        if (rs.length === 0) out.missingResults++;
        if (rs.length > 1) out.duplicateResults++;
        if (rs.some((r) => r.deliveries !== 1)) out.redeliveries++;
        const good = rs.length === 1 && rs[0]?.final === true && rs[0].outcome.ok && rs[0].deliveries === 1;
        if (!good) problem(`${job.jobId} ${t.id}: ${rs.length} result message(s)`);
        once &&= good;
      }
      if (once) out.tasksOnce++;
    }
    try {
      const report = JSON.parse((await api.getReport(job.jobId)).json) as Report;
      if (report.members.length === members) out.reportsComplete++;
      else problem(`${job.jobId}: the report lists ${report.members.length} members`);
    } catch (err) {
      problem(`${job.jobId}: no report (${String(err)})`);
    }
  }
  return out;
}
