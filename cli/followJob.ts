import type { CoordinatorConnection } from '../cluster/client/coordinatorConnection.ts';
import { CoordinatorUnreachableError, NatsUnavailableError, NotLeaderError } from '../cluster/errors.ts';
import { renderTable } from '../coordinator/report/renderTable.ts';
import { ChorusError, JobFailedError, JobInterruptedError } from '../core/errors.ts';
import type { Report } from '../core/report/report.ts';
import type { SchedulerEvent } from '../core/tasks/schedulerEvent.ts';
import { createReporter } from './progress/createReporter.ts';
import { followWording } from './progress/progressReporter.ts';

type FinalEvent = Extract<SchedulerEvent, { type: 'job-done' | 'job-failed' | 'job-interrupted' }>;

export interface FollowOptions {
  json: boolean;
  /** Aborted on Ctrl-C: stop following (the job goes on). */
  signal?: AbortSignal;
  /** Keep trying to reach the coordinator for this long after the last answer (default 10 min). */
  reconnectForMs?: number;
  /** Where reconnection notices go (default stderr). */
  log?: (line: string) => void;
  /**
   * The coordinator has answered this process before (`submit` did): a first failure is worth
   * waiting out. Otherwise a first failure (a wrong address, a bad certificate) is reported at once.
   */
  answeredBefore?: boolean;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;
const DEFAULT_RECONNECT_FOR_MS = 10 * 60_000;

/** A coordinator restarting, unreachable for a while, without NATS, or a standby during a takeover: worth waiting for. */
export function isTransient(err: unknown): boolean {
  return (
    err instanceof CoordinatorUnreachableError ||
    err instanceof NatsUnavailableError ||
    err instanceof NotLeaderError
  );
}

/**
 * Shows a job's progress (live, plain or JSON, as `chorus run` does) until it ends; returns how it
 * ended. Through a coordinator restart (or its NATS going away) it reconnects with a growing delay and
 * follows on, for up to `reconnectForMs` without an answer.
 */
export async function followJob(
  client: CoordinatorConnection,
  jobId: string,
  options: FollowOptions,
): Promise<FinalEvent> {
  const reporter = createReporter({ json: options.json, wording: followWording(jobId) });
  try {
    return await withReconnects(jobId, options, async (answered) => {
      for await (const { event } of client.watchJob(
        jobId,
        options.signal ? { signal: options.signal } : {},
      )) {
        answered();
        reporter.event(event);
        if (event.type === 'job-done' || event.type === 'job-failed' || event.type === 'job-interrupted')
          return event;
      }
      if (options.signal?.aborted) throw stoppedFollowing(jobId);
      // The stream ended without a final event (the coordinator is closing): ask for the state.
      const status = await client.getJob(jobId);
      answered();
      if (status.state === 'done')
        return { type: 'job-done', seconds: ((status.finishedAt ?? 0) - status.submittedAt) / 1000 };
      if (status.state === 'failed')
        return { type: 'job-failed', taskId: '', error: status.error ?? 'failed' };
      if (status.state === 'cancelled') return { type: 'job-interrupted' };
      return undefined; // still running: watch again
    });
  } finally {
    reporter.stop();
  }
}

/**
 * Calls `attempt` until it returns a result, retrying transient failures with a growing delay; gives
 * up once nothing has answered for `reconnectForMs`. `attempt` calls `answered` whenever the
 * coordinator answers, and returns undefined to be called again at once.
 */
async function withReconnects<T>(
  jobId: string,
  options: FollowOptions,
  attempt: (answered: () => void) => Promise<T | undefined>,
): Promise<T> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const giveUpAfter = options.reconnectForMs ?? DEFAULT_RECONNECT_FOR_MS;
  let lastAnswer = Date.now();
  let delay = FIRST_RETRY_MS;
  let lost = false;
  let everAnswered = options.answeredBefore ?? false;
  const answered = () => {
    everAnswered = true;
    lastAnswer = Date.now();
    delay = FIRST_RETRY_MS;
    if (lost) log(`reconnected to the coordinator; following job ${jobId}`);
    lost = false;
  };
  for (;;) {
    try {
      const result = await attempt(answered);
      if (result !== undefined) return result;
    } catch (err) {
      if (options.signal?.aborted) throw stoppedFollowing(jobId);
      if (!isTransient(err) || !everAnswered) throw err;
      if (Date.now() - lastAnswer > giveUpAfter) {
        throw new ChorusError(
          `${(err as Error).message}; gave up after ${Math.round(giveUpAfter / 1000)} s. ` +
            `The job may still be running: chorus watch ${jobId}`,
          { cause: err },
        );
      }
      log(`lost the coordinator (${(err as Error).message}); reconnecting in ${delay / 1000} s`);
      lost = true;
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw stoppedFollowing(jobId);
      delay = Math.min(MAX_RETRY_MS, delay * 2);
    }
  }
}

function stoppedFollowing(jobId: string): JobInterruptedError {
  return new JobInterruptedError(
    `stopped following job ${jobId}; it goes on on the coordinator ` +
      `(chorus watch ${jobId} to follow it again, chorus cancel ${jobId} to stop it)`,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Follows a job to its end (`submit --wait`, `watch`) and prints its report table. A failed job is a
 * JobFailedError (exit 1), a cancelled one a JobInterruptedError (exit 130); Ctrl-C stops following
 * (exit 130) and leaves the job running.
 */
export async function waitAndPrint(
  client: CoordinatorConnection,
  jobId: string,
  json: boolean,
  follow: Pick<FollowOptions, 'answeredBefore'> = {},
): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const options: FollowOptions = { ...follow, json, signal: controller.signal };
    const final = await followJob(client, jobId, options);
    if (final.type === 'job-failed') {
      // From the job's status (the job had ended before it was followed), the error names its task.
      if (!final.taskId) throw new ChorusError(`job ${jobId} failed: ${final.error}`);
      throw new JobFailedError(final.taskId, final.error);
    }
    if (final.type === 'job-interrupted') {
      throw new JobInterruptedError(
        `job ${jobId} was cancelled; submit the same job file again to resume it (finished tasks are kept)`,
      );
    }
    const { json: reportJson } = await withReconnects(jobId, options, async (answered) => {
      const report = await client.getReport(jobId);
      answered();
      return report;
    });
    const report = JSON.parse(reportJson) as Report;
    if (json) process.stdout.write(`${JSON.stringify({ type: 'report', jobId, report })}\n`);
    else process.stdout.write(`\n${renderTable(report)}\n`);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
