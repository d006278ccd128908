import { hostname } from 'node:os';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { NatsArtifactStore } from '../../cluster/artifacts/natsArtifactStore.ts';
import type { ClientSecurity } from '../../cluster/grpc/authClient.ts';
import { PreparedDataCache } from '../../cluster/jobData/preparedDataCache.ts';
import { decodeMessage, encodeMessage } from '../../cluster/messages/codec.ts';
import type { ProgressMessage } from '../../cluster/messages/progressMessage.ts';
import type { ResultMessage } from '../../cluster/messages/resultMessage.ts';
import { taskMessageSchema, type TaskMessage } from '../../cluster/messages/taskMessage.ts';
import type { WorkerHeartbeat } from '../../cluster/messages/workerHeartbeat.ts';
import { yieldRequestSchema, type YieldRequest } from '../../cluster/messages/yieldRequest.ts';
import { connectNats } from '../../cluster/nats/connectNats.ts';
import {
  describeNatsSecurity,
  natsClientOptions,
  type NatsClientSecurity,
} from '../../cluster/nats/natsClientSecurity.ts';
import {
  resolveNatsResourceOptions,
  type NatsResourceOptions,
} from '../../cluster/nats/natsResourceOptions.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { checkWorkerName } from '../../cluster/nats/natsNames.ts';
import { consumerSettings, openResources } from '../../cluster/nats/openResources.ts';
import { closeNatsWithin, settleWithin } from '../../cluster/nats/closeNats.ts';
import { pullOne } from '../../cluster/nats/pullOne.ts';
import { DEFAULT_WORKER_NAME, workerInboxPrefix } from '../../cluster/nats/workerPermissions.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';
import type { KvTaskRecord } from '../../cluster/state/kvTaskRecord.ts';
import { KvJobStateView, type JobStateView } from '../../cluster/state/jobStateView.ts';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import type { TaskOutcome } from '../../core/tasks/taskOutcome.ts';
import { toFailure } from '../../core/tasks/toFailure.ts';
import type { TaskMetricsContext } from '../metrics/workerMetrics.ts';
import type { ThreadMessage } from '../poolMessages.ts';
import { createTaskPool } from '../createTaskPool.ts';
import type { PoolPlacementOptions, PoolPlan } from '../poolPlacement.ts';
import type { TaskPool } from '../taskPool.ts';
import { WORKER_DEFAULTS } from '../workerDefaults.ts';
import { DeliveryLease } from './deliveryLease.ts';
import { checkWorkerNats, checkWorkerToken, explainWorkerLoginRefusal } from './startupChecks.ts';
import { decideSettlement, dropReason, yieldsByItself, type DeliveryEnd } from './settlement.ts';

export interface NatsWorkerOptions {
  servers: string[];
  /** NATS login and TLS besides URL credentials (handed to the pool threads: file paths where possible). */
  natsSecurity?: NatsClientSecurity;
  /** The coordinator's gRPC address, for streaming logits. */
  coordinator: string;
  /** TLS and the worker token for that address (handed to the pool threads, which dial it). */
  grpc?: ClientSecurity;
  slots: number;
  /** Threads or processes, and GPU placement (see poolPlacement.ts); `slots` must agree with it. */
  placement?: Omit<PoolPlacementOptions, 'backend' | 'slots'>;
  /** Overrides the job's runtime.backend when set (e.g. a GPU worker). */
  backend?: BackendChoice;
  cacheDir: string;
  resources?: Partial<NatsResourceOptions>;
  /**
   * The worker's name: its NATS user's permissions let it write only this name's heartbeats
   * (`chorus nats-permissions --worker-name`). Default DEFAULT_WORKER_NAME.
   */
  workerName?: string;
  /** This process among the workers of its name (default `<host>-<pid>`). */
  instance?: string;
  /** Aborted when the process is told to stop: start-up stops waiting for the coordinator. */
  stopSignal?: AbortSignal;
  log?: (line: string) => void;
  /** Called with every thread message and the task it belongs to (metrics). */
  onThreadMessage?: (message: ThreadMessage, task: TaskMetricsContext) => void;
  /** Called when a task starts running here and when it leaves (metrics). */
  onTask?: (event: 'started' | 'ended', task: TaskMetricsContext) => void;
}

export interface NatsWorkerHandle {
  /** `<name>/<instance>`, as `chorus workers` lists it. */
  readonly workerId: string;
  readonly nc: NatsConnection;
  /** Tasks running now. */
  busy(): number;
  /** Stop taking tasks; let running ones finish within `graceMs`, hand the rest back; then close, within `closeMs` more. */
  drain(graceMs?: number, closeMs?: number): Promise<void>;
}

const HEARTBEAT_MS = 5000;

/** One delivery running in a slot. */
interface Running {
  jobId: string;
  taskId: string;
  taskType: string;
  startedAt: number;
  controller: AbortController;
  /** Aborted to ask the task to give its slot back (it checkpoints first when it trains). */
  yieldRequest: AbortController;
  /** Why it was asked to yield, for the log. */
  yieldReason?: string;
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
  const worker = await NatsWorker.connect(o);
  try {
    await worker.run();
  } catch (err) {
    await worker.abandon();
    throw err;
  }
  return worker;
}

/**
 * The worker's machinery, as named steps: connect → run (warm up, heartbeats, cancellations, one
 * loop per slot) → slotLoop (pull) → handleDelivery: decode → check → keepAlive → runTask → settle.
 * The settle decision itself is a pure function (settlement.ts).
 */
class NatsWorker implements NatsWorkerHandle {
  readonly workerId: string;
  private readonly log: (line: string) => void;
  private readonly jobs: JobStateView;
  private readonly dataCache: PreparedDataCache;
  private readonly pool: TaskPool;
  private readonly poolPlan: PoolPlan;
  private readonly running = new Map<string, Running>();
  private backendName: string;
  private draining = false;
  /** Aborted on drain: idle slots stop pulling at once instead of waiting out their pull. */
  private readonly stopPulling = new AbortController();
  /** AckWait and MaxDeliver as the server has them now: a coordinator started later may change them. */
  private limits: { ackWaitMs: number; maxDeliver: number };
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private cancels: Subscription | undefined;
  private yields: Subscription | undefined;
  private loops: Promise<void>[] = [];

  private constructor(
    private readonly o: NatsWorkerOptions,
    private readonly name: string,
    private readonly instance: string,
    readonly nc: NatsConnection,
    private readonly resources: NatsResources,
    private readonly inboxPrefix: string,
  ) {
    this.log = o.log ?? (() => {});
    this.workerId = `${name}/${instance}`;
    this.jobs = new KvJobStateView(resources.state, resources.names);
    // A job's data goes when the coordinator says the job is over (onCancel) or, should that word be
    // missed, when the periodic sweep finds the job ended in KV.
    this.dataCache = new PreparedDataCache(o.cacheDir, {
      isJobOver: async (jobId) => (await this.jobs.getJob(jobId))?.status !== 'running',
    });
    ({ pool: this.pool, plan: this.poolPlan } = createTaskPool({
      backend: o.backend ?? 'auto',
      slots: o.slots,
      ...o.placement,
    }));
    this.backendName = o.backend ?? 'job';
    this.limits = { ackWaitMs: resources.options.ackWaitMs, maxDeliver: resources.options.maxDeliver };
  }

  /** Connects to NATS and looks up what the coordinator made: a worker creates and changes nothing. */
  static async connect(o: NatsWorkerOptions): Promise<NatsWorker> {
    const name = checkWorkerName(o.workerName ?? DEFAULT_WORKER_NAME);
    const instance = o.instance ?? `${hostname()}-${process.pid}`;
    const prefix = resolveNatsResourceOptions(o.resources).prefix;
    // Replies come to an inbox of the worker's own name, the only one its NATS user may read.
    const inboxPrefix = workerInboxPrefix(prefix, name);
    const nc = await connectNats(o.servers, o.natsSecurity, {
      name: `chorus-worker-${name}-${instance}`,
      inboxPrefix,
    });
    const resources = await openResources(nc, o.resources).catch(async (err: unknown) => {
      await nc.close().catch(() => undefined);
      throw explainWorkerLoginRefusal(err, prefix, name);
    });
    return new NatsWorker(o, name, instance, nc, resources, inboxPrefix);
  }

  busy(): number {
    return this.running.size;
  }

  /** Starts heartbeats and cancellations, warms the pool, and starts one pulling loop per slot. */
  async run(): Promise<void> {
    const { names, js } = this.resources;
    // A login or token that cannot do the work stops the worker now, not after a task's training.
    await checkWorkerNats(this.nc, this.resources, { name: this.name, instance: this.instance });
    await checkWorkerToken(this.o.coordinator, this.o.grpc, this.log, this.o.stopSignal);
    await this.heartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.cancels = this.nc.subscribe(names.allCancels, {
      callback: (_err, msg) => this.onCancel(names.jobOfSubject(msg.subject)?.jobId),
    });
    this.yields = this.nc.subscribe(names.allYields, {
      callback: (_err, msg) => this.onYieldRequest(msg.data),
    });
    const consumer = await js.consumers.get(names.taskStream, names.taskConsumer);
    // Threads load their modules and start their engine now, not inside the first task it pulls: a
    // worker that says ready trains at full speed at once. A job with another backend switches to it.
    const warmed = await this.pool
      .warmUp(this.o.backend ?? 'auto', { natsArtifacts: true })
      .catch((err: unknown) => {
        this.log(`thread warm-up failed: ${String(err)}; each task starts its backend itself`);
        return [];
      });
    if (warmed[0] !== undefined) {
      this.backendName = warmed[0].backend;
      this.log(`${warmed.length} pool thread(s) warm: ${this.backendName} backend started`);
    }
    this.loops = Array.from({ length: this.o.slots }, () => this.slotLoop(consumer));
    const nats = natsClientOptions(this.o.servers, this.o.natsSecurity);
    this.log(`NATS: ${describeNatsSecurity(nats, this.o.natsSecurity)}`);
    this.log(
      `worker ${this.workerId} ready: ${this.o.slots} slot(s) (${this.poolPlan.isolation} isolation), NATS ${nats.servers.join(',')}, ` +
        `coordinator ${this.o.coordinator}`,
    );
  }

  /**
   * Running tasks get `graceMs` to finish; the rest are aborted and handed back. Handing back, removing
   * the heartbeat and closing NATS get `closeMs` together, so the worker stops within
   * `graceMs + closeMs` even when NATS does not answer (tasks not handed back are redelivered after AckWait).
   */
  async drain(
    graceMs = WORKER_DEFAULTS.drainSeconds * 1000,
    closeMs = WORKER_DEFAULTS.closeSeconds * 1000,
  ): Promise<void> {
    const deadline = Date.now() + graceMs + closeMs;
    const left = (cap: number) => Math.min(cap, Math.max(0, deadline - Date.now()));
    this.draining = true;
    this.stopPulling.abort();
    void this.heartbeat(); // the coordinator stops counting this worker's slots
    // Training gives its slot back at the end of its epoch, checkpointed, and is requeued without
    // using an attempt; the other kinds are short and may finish. What is left at the end is stopped,
    // and requeued all the same.
    for (const r of this.running.values()) this.requestYield(r, 'this worker is draining', false);
    const abortRunning = setTimeout(() => {
      for (const r of this.running.values()) r.controller.abort();
    }, graceMs);
    if (!(await settleWithin(Promise.all(this.loops), left(graceMs + closeMs / 2)))) {
      this.log(
        `${this.running.size} task(s) not handed back in time: JetStream redelivers them after AckWait`,
      );
    }
    clearTimeout(abortRunning);
    clearInterval(this.heartbeatTimer);
    this.cancels?.unsubscribe();
    this.yields?.unsubscribe();
    const { workers, names } = this.resources;
    await settleWithin(workers.delete(names.workerKey(this.name, this.instance)), left(1000));
    await settleWithin(this.pool.close(), left(2000));
    await settleWithin(
      this.dataCache.close().catch((err: unknown) => this.log(`removing cached data: ${String(err)}`)),
      left(1000),
    );
    await closeNatsWithin(this.nc, left(closeMs));
  }

  /** Closes what `connect` and a failed `run` opened. */
  async abandon(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    this.cancels?.unsubscribe();
    this.yields?.unsubscribe();
    await settleWithin(this.pool.close(), 2000);
    await settleWithin(
      this.dataCache.close().catch(() => undefined),
      1000,
    );
    await closeNatsWithin(this.nc, 2000);
  }

  private async heartbeat(): Promise<void> {
    const info: WorkerHeartbeat = {
      workerId: this.workerId,
      host: hostname(),
      slots: this.o.slots,
      busy: this.running.size,
      backend: this.backendName,
      isolation: this.poolPlan.isolation,
      ...(this.o.placement?.gpus ? { gpus: this.poolPlan.children.map((c) => c.gpu ?? 0) } : {}),
      lastSeen: Date.now(),
      tasks: [...this.running.entries()].map(([dispatchId, r]) => ({
        jobId: r.jobId,
        taskId: r.taskId,
        dispatchId,
        startedAt: r.startedAt,
      })),
      ...(this.draining ? { draining: true } : {}),
    };
    const { workers, names } = this.resources;
    await workers.put(names.workerKey(this.name, this.instance), encodeMessage(info)).catch(() => undefined);
  }

  /** The job is over (cancelled, failed or done): stop its tasks here and remove its data. */
  private onCancel(jobId: string | undefined): void {
    if (jobId === undefined) return;
    for (const r of this.running.values()) {
      if (r.jobId === jobId) {
        r.cancelled = true;
        r.controller.abort();
      }
    }
    this.dataCache
      .drop(jobId)
      .catch((err: unknown) => this.log(`removing job ${jobId}'s data: ${String(err)}`));
  }

  /** The coordinator asks for one of the dispatches running here (preemption). */
  private onYieldRequest(data: Uint8Array): void {
    let request: YieldRequest;
    try {
      request = decodeMessage(yieldRequestSchema, data, 'yield request');
    } catch (err) {
      this.log(`ignoring a malformed yield request: ${(err as Error).message}`);
      return;
    }
    const r = this.running.get(request.dispatchId);
    if (r && r.jobId === request.jobId) this.requestYield(r, request.reason, true);
  }

  /**
   * Asks a running task to give its slot back: training checkpoints at the end of its epoch and stops;
   * another kind is stopped now when `stopOthers` (preemption), or left to finish (a drain's grace).
   */
  private requestYield(r: Running, reason: string, stopOthers: boolean): void {
    if (r.yieldRequest.signal.aborted) return;
    r.yieldReason = reason;
    r.yieldRequest.abort();
    const byItself = yieldsByItself(r.taskType);
    this.log(
      `${r.taskId}: asked to give its slot back (${reason}): ` +
        (byItself
          ? 'it checkpoints at the end of its epoch'
          : stopOthers
            ? 'stopping it'
            : 'letting it finish'),
    );
    if (!byItself && stopOthers) r.controller.abort();
  }

  /** AckWait and MaxDeliver as the server has them now. */
  private async currentLimits(): Promise<{ ackWaitMs: number; maxDeliver: number }> {
    const { jsm, names } = this.resources;
    const info = await jsm.consumers.info(names.taskStream, names.taskConsumer).catch(() => undefined);
    if (info) this.limits = { ...this.limits, ...consumerSettings(info.config) };
    return this.limits;
  }

  private async slotLoop(consumer: Consumer): Promise<void> {
    while (!this.draining) {
      let msg: JsMsg | null;
      try {
        msg = await pullOne(consumer, this.stopPulling.signal);
      } catch (err) {
        if (this.draining) return;
        this.log(`task consumer: ${String(err)}; retrying`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!msg) continue;
      const taken = msg;
      await this.handleDelivery(taken).catch((err: unknown) => {
        // E.g. KV timed out while NATS reconnects: hand it back now rather than after AckWait.
        this.log(`task handling failed: ${String(err)}; handing the task back`);
        try {
          taken.nak(1000);
        } catch {
          // Connection closed: JetStream redelivers after AckWait anyway.
        }
      });
    }
  }

  /** One delivery: decode → check → keepAlive → runTask → settle. */
  private async handleDelivery(msg: JsMsg): Promise<void> {
    const receivedAt = Date.now();
    const tm = this.decode(msg);
    if (!tm) return;
    const job = await this.check(tm, msg);
    if (!job) return;
    const deliveries = msg.info.deliveryCount;
    // Attempts used by earlier dispatches count; a dispatch that gave its slot back used none.
    const attempt = (tm.priorAttempts ?? 0) + deliveries;
    const { ackWaitMs, maxDeliver } = await this.currentLimits();
    const entry: Running = {
      jobId: tm.jobId,
      taskId: tm.taskId,
      taskType: tm.task.type,
      startedAt: Date.now(),
      controller: new AbortController(),
      yieldRequest: new AbortController(),
      cancelled: false,
      superseded: false,
    };
    this.running.set(tm.dispatchId, entry);
    void this.heartbeat(); // the coordinator shows the task as running (not queued) from now on
    const about: TaskMetricsContext = { job: tm.jobId, task: tm.taskId, kind: tm.task.type };
    this.o.onTask?.('started', about);
    const lease = new DeliveryLease(ackWaitMs, receivedAt);
    const stopKeepAlive = this.keepAlive(msg, lease, entry);
    this.log(
      `${tm.taskId}: delivery ${deliveries} started (dispatch ${tm.dispatchId})` +
        (attempt !== deliveries ? `, attempt ${attempt}` : ''),
    );
    let outcome: TaskOutcome;
    try {
      outcome = await this.runTask(tm, job, attempt, entry, about);
    } catch (err) {
      outcome = { ok: false, error: toFailure(err) };
    } finally {
      stopKeepAlive();
      this.running.delete(tm.dispatchId);
      void this.heartbeat();
      this.o.onTask?.('ended', about);
    }
    await this.settle(msg, tm, lease, deliveries, entry.yieldReason, {
      outcome,
      leaseLost: entry.superseded || lease.lost(),
      cancelled: entry.cancelled,
      yieldRequested: entry.yieldRequest.signal.aborted,
      drained: entry.controller.signal.aborted,
      attempt,
      maxDeliver,
    });
  }

  /** The task message, or undefined after terminating a malformed one (it can never run). */
  private decode(msg: JsMsg): TaskMessage | undefined {
    try {
      return decodeMessage(taskMessageSchema, msg.data, 'task message');
    } catch (err) {
      this.log(`refusing a malformed task message: ${(err as Error).message}`);
      msg.term((err as Error).message);
      return undefined;
    }
  }

  /** The job to run the task for, or undefined after acking (or handing back) a delivery that must not run now. */
  private async check(tm: TaskMessage, msg: JsMsg): Promise<JobRecord | undefined> {
    // A read that fails (NATS restarting, a replicated bucket electing its leader) is not "no such
    // job": the task is handed back for later instead of being dropped for good.
    const read = await readJobState(this.jobs, tm).catch((err: unknown) => {
      this.log(`cannot read the state of job ${tm.jobId} (${String(err)}): handing ${tm.taskId} back`);
      msg.nak(STATE_UNREADABLE_DELAY_MS);
      return null;
    });
    if (read === null) return undefined;
    const { job, record } = read;
    const reason = dropReason(job, record, tm.dispatchId);
    if (reason === undefined) return job;
    this.log(`dropping ${tm.taskId} of job ${tm.jobId}: ${reason}`);
    msg.ack();
    return undefined;
  }

  /**
   * Tells JetStream the task is `working()` every AckWait/3, and stops the task once no heartbeat
   * has been confirmed for AckWait (another worker may be resuming it from its checkpoint).
   * Returns the function that stops the heartbeats.
   */
  private keepAlive(msg: JsMsg, lease: DeliveryLease, entry: Running): () => void {
    const beat = () => {
      if (lease.lost()) {
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
      this.nc.flush().then(
        () => lease.confirm(sentAt),
        () => undefined,
      );
    };
    beat();
    const timer = setInterval(beat, Math.max(250, lease.ackWaitMs / 3));
    return () => clearInterval(timer);
  }

  /** Runs the task in a pool thread, with its job's data and the artifact store of the job. */
  private async runTask(
    tm: TaskMessage,
    job: JobRecord,
    attempt: number,
    entry: Running,
    about: TaskMetricsContext,
  ): Promise<TaskOutcome> {
    const { names } = this.resources;
    const store = new NatsArtifactStore(this.resources.objects, names.artifactPrefix(tm.jobId));
    const data = await this.dataCache.get(tm.jobId, job, store);
    return this.pool.run(
      {
        task: tm.task,
        job: job.job,
        data,
        backend: this.o.backend ?? job.job.runtime.backend,
        attempt,
        artifacts: {
          kind: 'nats',
          servers: this.o.servers,
          ...(this.o.natsSecurity ? { natsSecurity: this.o.natsSecurity } : {}),
          inboxPrefix: this.inboxPrefix,
          bucket: names.artifactsBucket,
          prefix: names.artifactPrefix(tm.jobId),
          coordinator: this.o.coordinator,
          ...(this.o.grpc ? { grpc: this.o.grpc } : {}),
          jobId: tm.jobId,
          taskId: tm.taskId,
          dispatchId: tm.dispatchId,
        },
      },
      (message) => {
        this.o.onThreadMessage?.(message, about);
        if (message.type === 'backend') this.backendName = message.name;
        else if (message.type === 'progress') {
          const progress: ProgressMessage = { taskId: tm.taskId, progress: message.progress };
          this.nc.publish(names.progressSubject(tm.jobId), encodeMessage(progress));
        }
      },
      entry.controller.signal,
      entry.yieldRequest.signal,
    );
  }

  /** Carries out the settle decision: publish the result, then ack, nak or term the delivery. */
  private async settle(
    msg: JsMsg,
    tm: TaskMessage,
    lease: DeliveryLease,
    deliveries: number,
    yieldReason: string | undefined,
    end: DeliveryEnd,
  ): Promise<void> {
    const settlement = decideSettlement(end);
    if (settlement.kind === 'abandon') {
      this.log(
        `${tm.taskId}: delivery ${deliveries} abandoned: no heartbeat reached NATS for ${lease.silentMs()} ms ` +
          `(AckWait ${lease.ackWaitMs} ms), so JetStream may have handed the task to another worker`,
      );
      return;
    }
    if (settlement.kind === 'ack-cancelled') {
      msg.ack();
      this.log(`${tm.taskId}: delivery ${deliveries} stopped: the job was cancelled or failed`);
      return;
    }
    const { outcome } = end;
    if (settlement.kind === 'requeue') {
      await this.requeue(msg, tm, lease, end, yieldReason ?? 'this worker stopped it');
      return;
    }
    const result: ResultMessage = {
      jobId: tm.jobId,
      taskId: tm.taskId,
      dispatchId: tm.dispatchId,
      final: settlement.final,
      deliveries: end.attempt,
      worker: this.workerId,
      outcome,
    };
    try {
      await this.resources.js.publish(this.resources.names.resultSubject(tm.jobId), encodeMessage(result));
    } catch (err) {
      if (lease.lost()) {
        this.log(`could not publish the result of ${tm.taskId}: ${String(err)}; the delivery has run out`);
        return;
      }
      this.log(`could not publish the result of ${tm.taskId}: ${String(err)}; handing the task back`);
      msg.nak(1000);
      return;
    }
    if (lease.lost()) {
      // Published, but too late to settle this delivery: the coordinator takes the first result of
      // the dispatch and ignores the rest; a redelivery finds the task done and drops it.
      this.log(
        `${tm.taskId}: delivery ${deliveries} ended after its AckWait ran out: result published, not acked`,
      );
      return;
    }
    const after = settlement.after;
    if (after.ack === 'ack') msg.ack();
    else if (after.ack === 'term') msg.term(after.reason);
    else msg.nak(after.delayMs);
    if (!outcome.ok) {
      this.log(
        `${tm.taskId}: delivery ${deliveries} failed: ${outcome.error.message}` +
          `${settlement.final ? '' : ' (will retry)'}`,
      );
    } else this.log(`${tm.taskId}: delivery ${deliveries} done`);
  }

  /**
   * The task gave its slot back: a `yielded` result tells the coordinator to dispatch it again (its
   * checkpoint, if it trains, is in the Object Store), then the delivery is acked. Should the result
   * not go out, a nak hands the message back to JetStream instead, which counts it as an attempt.
   */
  private async requeue(
    msg: JsMsg,
    tm: TaskMessage,
    lease: DeliveryLease,
    end: DeliveryEnd,
    reason: string,
  ): Promise<void> {
    const result: ResultMessage = {
      jobId: tm.jobId,
      taskId: tm.taskId,
      dispatchId: tm.dispatchId,
      final: false,
      yielded: true,
      deliveries: end.attempt,
      worker: this.workerId,
      outcome: end.outcome,
    };
    try {
      await this.resources.js.publish(this.resources.names.resultSubject(tm.jobId), encodeMessage(result));
    } catch (err) {
      this.log(
        `${tm.taskId}: could not hand it back to the coordinator (${String(err)}); handing it to JetStream`,
      );
      if (!lease.lost()) msg.nak();
      return;
    }
    if (!lease.lost()) msg.ack();
    const detail = end.outcome.ok ? '' : `: ${end.outcome.error.message}`;
    this.log(`${tm.taskId}: gave its slot back (${reason})${detail}; requeued without using an attempt`);
  }
}

/** How long a task whose job state could not be read waits before JetStream delivers it again. */
const STATE_UNREADABLE_DELAY_MS = 2000;

/** The job and task records a delivery is checked against; a read is tried three times, a second apart. */
async function readJobState(
  jobs: JobStateView,
  tm: TaskMessage,
): Promise<{ job: JobRecord | undefined; record: KvTaskRecord | undefined }> {
  for (let tries = 1; ; tries++) {
    try {
      const job = await jobs.getJob(tm.jobId);
      const record = job?.status === 'running' ? await jobs.getTask(tm.jobId, tm.taskId) : undefined;
      return { job, record };
    } catch (err) {
      if (tries >= 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
