import type { CoordinatorConnection } from '../cluster/client/coordinatorConnection.ts';
import { renderTable } from '../coordinator/report/renderTable.ts';
import { ChorusError, JobFailedError } from '../core/errors.ts';
import type { Report } from '../core/report/report.ts';
import type { SchedulerEvent } from '../core/tasks/schedulerEvent.ts';
import { createReporter } from './progress/createReporter.ts';

type FinalEvent = Extract<SchedulerEvent, { type: 'job-done' | 'job-failed' | 'job-interrupted' }>;

/** Shows a job's progress (live, plain or JSON, as `chorus run` does) until it ends; returns how it ended. */
export async function followJob(
  client: CoordinatorConnection,
  jobId: string,
  json: boolean,
): Promise<FinalEvent> {
  const reporter = createReporter({ json });
  try {
    for await (const { event } of client.watchJob(jobId)) {
      reporter.event(event);
      if (event.type === 'job-done' || event.type === 'job-failed' || event.type === 'job-interrupted')
        return event;
    }
  } finally {
    reporter.stop();
  }
  // The stream ended without a final event (coordinator restarting): ask for the state.
  const status = await client.getJob(jobId);
  if (status.state === 'done')
    return { type: 'job-done', seconds: ((status.finishedAt ?? 0) - status.submittedAt) / 1000 };
  if (status.state === 'failed') return { type: 'job-failed', taskId: '', error: status.error ?? 'failed' };
  return { type: 'job-interrupted' };
}

/** Follows a job to its end (`submit --wait`, `watch`); prints its report table, or fails with the job's error. */
export async function waitAndPrint(
  client: CoordinatorConnection,
  jobId: string,
  json: boolean,
): Promise<void> {
  const final = await followJob(client, jobId, json);
  if (final.type === 'job-failed') {
    // From the job's status (the job had ended before it was followed), the error names its task.
    if (!final.taskId) throw new ChorusError(`job ${jobId} failed: ${final.error}`);
    throw new JobFailedError(final.taskId, final.error);
  }
  if (final.type === 'job-interrupted')
    throw new JobFailedError(jobId, 'the job was cancelled or interrupted');
  const { json: reportJson } = await client.getReport(jobId);
  const report = JSON.parse(reportJson) as Report;
  if (json) process.stdout.write(`${JSON.stringify({ type: 'report', jobId, report })}\n`);
  else process.stdout.write(`\n${renderTable(report)}\n`);
}
