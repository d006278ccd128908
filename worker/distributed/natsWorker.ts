import { hostname } from 'node:os';
import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import { NatsArtifactStore } from '../../cluster/artifacts/natsArtifactStore.ts';
import { toFailure } from '../../core/tasks/toFailure.ts';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';
import { PreparedDataCache } from '../../cluster/jobData/preparedDataCache.ts';
import {
  decodeMessage,
  encodeMessage,
  taskMessage,
  type ResultMessage,
  type TaskMessage,
} from '../../cluster/messages/messages.ts';
import { pullOne } from '../../cluster/nats/pullOne.ts';
import { subjects, type ProgressMessage } from '../../cluster/nats/subjects.ts';
import { connectNats } from '../../cluster/nats/connectNats.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { KvJobStore } from '../../coordinator/nats/kvJobStore.ts';
import {
  describeNatsSecurity,
  natsClientOptions,
  type NatsClientSecurity,
} from '../../cluster/nats/natsClientSecurity.ts';
import { KvStateStore } from '../../coordinator/nats/kvStateStore.ts';
import {
  resolveNatsResourceOptions,
  type NatsResourceOptions,
} from '../../cluster/nats/natsResourceOptions.ts';
import { consumerSettings, openResources } from '../../cluster/nats/openResources.ts';
import { workerInboxPrefix } from '../../cluster/nats/workerPermissions.ts';
import type { WorkerInfo } from '../../cluster/api/apiTypes.ts';
import type { ClientSecurity } from '../../cluster/grpc/authClient.ts';
import type { TaskMetricsContext } from '../metrics/workerMetrics.ts';
import type { ThreadMessage } from '../poolMessages.ts';
import { ThreadPool } from '../threadPool.ts';
import { DeliveryLease } from './deliveryLease.ts';

export interface NatsWorkerOptions {
  servers: string[];
  /** NATS login and TLS besides URL credentials (handed to the pool threads: file paths where possible). */
  natsSecurity?: NatsClientSecurity;
  /** The coordinator's gRPC address, for streaming logits. */
  coordinator: string;
  /** TLS and the worker token for that address (handed to the pool threads, which dial it). */
  grpc?: ClientSecurity;
  slots: number;
  /** Overrides the job's runtime.backend when set (e.g. a GPU worker). */
  backend?: BackendChoice;
  cacheDir: string;
  resources?: Partial<NatsResourceOptions>;
  workerId?: string;
  log?: (line: string) => void;
  /** Called with every thread message and the task it belongs to (metrics). */
  onThreadMessage?: (message: ThreadMessage, task: TaskMetricsContext) => void;
  /** Called when a task starts running here and when it leaves (metrics). */
  onTask?: (event: 'started' | 'ended', task: TaskMetricsContext) => void;
}

export interface NatsWorkerHandle {
  readonly workerId: string;
  readonly nc: NatsConnection;
  /** Tasks running now. */
  busy(): number;
  /** Stop taking tasks; let running ones finish within `graceMs`, hand the rest back; then close. */
  drain(graceMs?: number): Promise<void>;
}

const HEARTBEAT_MS = 5000;
const MAX_NAK_DELAY_MS = 30_000;

interface Running {
  jobId: string;
  controller: AbortController;
  cancelled: boolean;
  /** Cut off from NATS for AckWait: JetStream may have handed the task to another worker. */
  superseded: boolean;
}

/**
 * `chorus worker`: pulls at most `slots` tasks at a time from the JetStream work queue and runs them
 * in its thread pool with the same handlers as `chorus run`. While a task runs it tells JetStream it
 * is `working()`; then it publishes the result and acks, naks with a growing delay on a retryable
 * failure, or terms on bad input. Superseded dispatches and tasks of ended jobs are dropped unrun.
 */
export async function startNatsWorker(o: NatsWorkerOptions): Promise<NatsWorkerHandle> {
  const log = o.log ?? (() => {});
  const workerId = o.workerId ?? `${hostname()}-${process.pid}`;
  // Credentials become connect options; only the bare servers are ever logged.
  const nats = natsClientOptions(o.servers, o.natsSecurity);
  const prefix = resolveNatsResourceOptions(o.resources).prefix;
  // Replies come to an inbox of the worker's own, the only one its NATS user may read.
  const inboxPrefix = workerInboxPrefix(prefix);
  const nc = await connectNats(o.servers, o.natsSecurity, {
    name: `chorus-worker-${workerId}`,
    inboxPrefix,
  });
  // Look up what the coordinator made, and adopt its settings: a worker creates and changes nothing.
  const resources = await openResources(nc, o.resources).catch(async (err: unknown) => {
    await nc.close().catch(() => undefined);
    throw err;
  });
  const { names, js } = resources;
  /** AckWait and MaxDeliver as the server has them now: a coordinator started later may change them. */
  let limits = { ackWaitMs: resources.options.ackWaitMs, maxDeliver: resources.options.maxDeliver };
  const currentLimits = async () => {
    const info = await resources.jsm.consumers
      .info(names.taskStream, names.taskConsumer)
      .catch(() => undefined);
    if (info) limits = { ...limits, ...consumerSettings(info.config) };
    return limits;
  };
  const jobs = new KvJobStore(resources.state, names);
  const dataCache = new PreparedDataCache(o.cacheDir);
  const pool = new ThreadPool(o.slots);
  const running = new Map<string, Running>();
  let backendName = o.backend ?? 'job';
  let draining = false;
  /** Aborted on drain: idle slots stop pulling at once instead of waiting out their pull. */
  const stopPulling = new AbortController();

  const heartbeat = async () => {
    const info: WorkerInfo = {
      workerId,
      host: hostname(),
      slots: o.slots,
      busy: running.size,
      backend: backendName,
      lastSeen: Date.now(),
    };
    await resources.workers.put(names.workerKey(workerId), JSON.stringify(info)).catch(() => undefined);
  };
  await heartbeat();
  const heartbeatTimer = setInterval(() => void heartbeat(), HEARTBEAT_MS);

  const cancels: Subscription = nc.subscribe(subjects.allCancels(names), {
    callback: (_err, msg) => {
      const jobId = msg.subject.split('.').at(-1);
      for (const r of running.values()) {
        if (r.jobId === jobId) {
          r.cancelled = true;
          r.controller.abort();
        }
      }
    },
  });

  const handle = async (msg: JsMsg): Promise<void> => {
    const receivedAt = Date.now();
    let tm: TaskMessage;
    try {
      tm = decodeMessage<TaskMessage>(taskMessage, msg.data, 'task message');
    } catch (err) {
      log(`refusing a malformed task message: ${(err as Error).message}`);
      msg.term((err as Error).message);
      return;
    }
    const deliveries = msg.info.deliveryCount;
    const job = await jobs.getJob(tm.jobId).catch(() => undefined);
    if (!job || job.status !== 'running') {
      log(`dropping ${tm.taskId}: job ${tm.jobId} ${job ? `is ${job.status}` : 'is unknown'}`);
      msg.ack();
      return;
    }
    const state = new KvStateStore(resources.state, names, tm.jobId);
    const record = await state.getTask(tm.taskId);
    if (record?.dispatchId !== undefined && record.dispatchId !== tm.dispatchId) {
      msg.ack(); // superseded by a newer dispatch of the same task
      return;
    }
    if (record?.status === 'done') {
      msg.ack();
      return;
    }

    const { ackWaitMs, maxDeliver } = await currentLimits();
    const entry: Running = {
      jobId: tm.jobId,
      controller: new AbortController(),
      cancelled: false,
      superseded: false,
    };
    running.set(tm.dispatchId, entry);
    const about: TaskMetricsContext = { job: tm.jobId, task: tm.taskId, kind: tm.task.type };
    o.onTask?.('started', about);
    const lease = new DeliveryLease(ackWaitMs, receivedAt);
    const heartbeat = () => {
      if (lease.lost()) {
        // Stop now: another worker may be resuming the task from its checkpoint.
        entry.superseded = true;
        entry.controller.abort();
        return;
      }
      const sentAt = Date.now();
      try {
        msg.working();
      } catch {
        return; // connection closed: the lease runs out
      }
      // The flush's reply proves the heartbeat before it reached the server.
      nc.flush().then(
        () => lease.confirm(sentAt),
        () => undefined,
      );
    };
    heartbeat();
    const keepAlive = setInterval(heartbeat, Math.max(250, ackWaitMs / 3));
    log(`${tm.taskId}: delivery ${deliveries} started (dispatch ${tm.dispatchId})`);
    let outcome: TaskOutcome;
    try {
      const store = new NatsArtifactStore(resources.artifacts, names.artifactPrefix(tm.jobId));
      const data = await dataCache.get(tm.jobId, job.job, store);
      outcome = await pool.run(
        {
          task: tm.task,
          job: job.job,
          data,
          backend: o.backend ?? job.job.runtime.backend,
          attempt: deliveries,
          artifacts: {
            kind: 'nats',
            servers: o.servers,
            ...(o.natsSecurity ? { natsSecurity: o.natsSecurity } : {}),
            inboxPrefix,
            bucket: names.artifactsBucket,
            prefix: names.artifactPrefix(tm.jobId),
            coordinator: o.coordinator,
            ...(o.grpc ? { grpc: o.grpc } : {}),
            jobId: tm.jobId,
            taskId: tm.taskId,
            dispatchId: tm.dispatchId,
          },
        },
        (message) => {
          o.onThreadMessage?.(message, about);
          if (message.type === 'backend') backendName = message.name;
          else if (message.type === 'progress') {
            const progress: ProgressMessage = { taskId: tm.taskId, progress: message.progress };
            nc.publish(names.progressSubject(tm.jobId), JSON.stringify(progress));
          }
        },
        entry.controller.signal,
      );
    } catch (err) {
      outcome = { ok: false, error: toFailure(err) };
    } finally {
      clearInterval(keepAlive);
      running.delete(tm.dispatchId);
      o.onTask?.('ended', about);
    }

    // Checked first: an ack or nak of a superseded delivery would act on the new holder's.
    if (entry.superseded || lease.lost()) {
      log(
        `${tm.taskId}: delivery ${deliveries} abandoned: no heartbeat reached NATS for ${lease.silentMs()} ms ` +
          `(AckWait ${ackWaitMs} ms), so JetStream may have handed the task to another worker`,
      );
      return;
    }
    if (entry.cancelled) {
      msg.ack();
      log(`${tm.taskId}: delivery ${deliveries} stopped: the job was cancelled or failed`);
      return;
    }
    if (entry.controller.signal.aborted) {
      msg.nak(); // handed back on drain: another worker takes it (and resumes from its checkpoint)
      return;
    }
    const final = outcome.ok || !outcome.error.retryable || deliveries >= maxDeliver;
    const result: ResultMessage = { ...tm, final, deliveries, worker: workerId, outcome };
    try {
      await js.publish(names.resultSubject(tm.jobId), encodeMessage(result));
    } catch (err) {
      if (lease.lost()) {
        log(`could not publish the result of ${tm.taskId}: ${String(err)}; the delivery has run out`);
        return;
      }
      log(`could not publish the result of ${tm.taskId}: ${String(err)}; handing the task back`);
      msg.nak(1000);
      return;
    }
    if (lease.lost()) {
      // Published, but too late to settle this delivery: the coordinator takes the first result of
      // the dispatch and ignores the rest; a redelivery finds the task done and drops it.
      log(
        `${tm.taskId}: delivery ${deliveries} ended after its AckWait ran out: result published, not acked`,
      );
      return;
    }
    if (outcome.ok) msg.ack();
    else if (final) msg.term(outcome.error.message.slice(0, 200));
    else msg.nak(Math.min(MAX_NAK_DELAY_MS, 1000 * 2 ** (deliveries - 1)));
    if (!outcome.ok)
      log(
        `${tm.taskId}: delivery ${deliveries} failed: ${outcome.error.message}${final ? '' : ' (will retry)'}`,
      );
    else log(`${tm.taskId}: delivery ${deliveries} done`);
  };

  const consumer = await js.consumers.get(names.taskStream, names.taskConsumer);
  const slotLoop = async (): Promise<void> => {
    while (!draining) {
      let msg: JsMsg | null;
      try {
        msg = await pullOne(consumer, stopPulling.signal);
      } catch (err) {
        if (draining) return;
        log(`task consumer: ${String(err)}; retrying`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!msg) continue;
      const taken = msg;
      await handle(taken).catch((err: unknown) => {
        // E.g. KV timed out while NATS reconnects: hand it back now rather than after AckWait.
        log(`task handling failed: ${String(err)}; handing the task back`);
        try {
          taken.nak(1000);
        } catch {
          // Connection closed: JetStream redelivers after AckWait anyway.
        }
      });
    }
  };
  // Threads load their modules and start their engine now, not inside the first task it pulls: a
  // worker that says ready trains at full speed at once. A job with another backend switches to it.
  const warmed = await pool.warmUp(o.backend ?? 'auto').catch((err: unknown) => {
    log(`thread warm-up failed: ${String(err)}; each task starts its backend itself`);
    return [];
  });
  if (warmed[0] !== undefined) {
    backendName = warmed[0].backend;
    log(`${warmed.length} pool thread(s) warm: ${backendName} backend started`);
  }
  const loops = Array.from({ length: o.slots }, () => slotLoop());
  log(`NATS: ${describeNatsSecurity(nats, o.natsSecurity)}`);
  log(
    `worker ${workerId} ready: ${o.slots} slot(s), NATS ${nats.servers.join(',')}, coordinator ${o.coordinator}`,
  );

  return {
    workerId,
    nc,
    busy: () => running.size,
    drain: async (graceMs = 30_000) => {
      draining = true;
      stopPulling.abort();
      const deadline = setTimeout(() => {
        for (const r of running.values()) r.controller.abort();
      }, graceMs);
      await Promise.all(loops);
      clearTimeout(deadline);
      clearInterval(heartbeatTimer);
      cancels.unsubscribe();
      await resources.workers.delete(names.workerKey(workerId)).catch(() => undefined);
      await pool.close();
      await nc.drain().catch(() => undefined);
    },
  };
}

export type { NatsResources };
