import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { NatsArtifactStore } from '../../cluster/artifacts/natsArtifactStore.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { JobNotDoneError, NotFoundError } from '../../cluster/errors.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type {
  ArtifactInfo,
  JobEvent,
  JobStatus,
  JobSummary,
  LogitArray,
  ReportText,
  SubmitJobRequest,
  SubmittedJob,
  TaskCounts,
  TaskState,
  WorkerInfo,
} from '../../cluster/api/apiTypes.ts';
import type { CoordinatorHandlers } from '../grpc/coordinatorHandlers.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';
import { KvJobStore } from '../nats/kvJobStore.ts';
import { KvStateStore } from '../nats/kvStateStore.ts';
import { type KvTaskRecord } from '../../cluster/state/kvTaskRecord.ts';
import { planJob } from '../planJob.ts';
import { putFloat32 } from '../../core/artifacts/float32.ts';
import { checkJobData } from '../../cluster/jobData/checkJobData.ts';
import { jobDataFiles, uploadKeys, withUploadedPaths } from '../../cluster/jobData/jobDataFiles.ts';
import { isFetchedKey, listJobArtifacts } from './jobArtifacts.ts';
import { JobEventHub } from './jobEventHub.ts';
import { checkJobLimits, DEFAULT_JOB_LIMITS, type JobLimits } from './limits.ts';
import { modelFilesFromUploads } from '../../cluster/jobData/jobModelUploads.ts';
import { checkJobModelFiles } from '../../core/model/modelFile/checkJobModelFiles.ts';
import { storeModelFiles } from '../../core/model/modelFile/storeModelFiles.ts';
import { knownDataShape } from '../../core/spec/knownDataShape.ts';
import { PreparedDataCache } from '../../cluster/jobData/preparedDataCache.ts';
import { ResultRouter } from './resultRouter.ts';
import { runDistributedJob, type StopReason } from './runDistributedJob.ts';
import { decodeMessage } from '../../cluster/messages/codec.ts';
import { progressMessageSchema } from '../../cluster/messages/progressMessage.ts';
import { Turns } from './turns.ts';
import type { TokenIdentity } from '../../cluster/grpc/authTokens.ts';
import { DEFAULT_PRIORITY, type Priority } from '../../core/spec/priority.ts';
import { clusterShare } from '../scheduling/clusterShare.ts';
import type { SchedulingOptions } from '../scheduling/schedulingOptions.ts';
import type { BusySlotCount, SlotScheduler } from '../scheduling/slotScheduler.ts';
import type { WorkerRoster } from '../scheduling/workerRoster.ts';

export interface CoordinatorServiceOptions {
  nc: NatsConnection;
  resources: NatsResources;
  cacheDir: string;
  limits?: Partial<JobLimits>;
  log?: (line: string) => void;
  /** Called with every job event and, while the job runs here, the job (metrics). */
  onJobEvent?: (event: JobEvent, job: ResolvedJob | undefined) => void;
  /** Called with the bytes of every logit array received (metrics). */
  onLogitBytes?: (bytes: number) => void;
  /** Called when a task's attempt failed and JetStream will deliver it again (metrics). */
  onRetry?: (jobId: string, taskId: string) => void;
  /** How jobs share the workers (docs/distributed.md, "Sharing the cluster"). */
  scheduling?: Partial<SchedulingOptions>;
  /** A client's quota of slots as the tokens file says now; without it, only the quota a job was submitted with. */
  quotaOf?: (client: string) => number | undefined;
}

interface ActiveJob {
  job: ResolvedJob;
  controller: AbortController;
  reason: StopReason | undefined;
  done: Promise<void>;
}

/**
 * The coordinator's logic behind the gRPC API: accepts jobs (with their data files), runs each with
 * `runDistributedJob`, resumes jobs left running by an earlier coordinator, and answers queries from
 * KV. It holds no state that is not also in NATS.
 */
export class CoordinatorService implements CoordinatorHandlers {
  readonly hub = new JobEventHub();
  private readonly o: CoordinatorServiceOptions;
  private readonly jobs: KvJobStore;
  private readonly router: ResultRouter;
  private readonly dataCache: PreparedDataCache;
  private readonly limits: JobLimits;
  private readonly active = new Map<string, ActiveJob>();
  /** Parsing a submission and writing a report are CPU work: a burst of them takes turns. */
  private readonly turns = new Turns();
  /** The connected workers and what they run, from their heartbeats. */
  readonly roster: WorkerRoster;
  /** Which job's task goes to the work queue next. */
  readonly slots: SlotScheduler;
  private progressSub: Subscription | undefined;
  private readonly log: (line: string) => void;

  constructor(options: CoordinatorServiceOptions) {
    this.o = options;
    this.log = options.log ?? (() => {});
    this.jobs = new KvJobStore(options.resources.state, options.resources.names);
    this.limits = { ...DEFAULT_JOB_LIMITS, ...options.limits };
    this.dataCache = new PreparedDataCache(options.cacheDir, {
      isJobOver: async (jobId) => !this.active.has(jobId),
    });
    const { js, jsm, names } = options.resources;
    this.router = new ResultRouter({
      nc: options.nc,
      js,
      jsm,
      names,
      log: this.log,
      ...(options.onRetry ? { onRetry: (r) => options.onRetry?.(r.jobId, r.taskId) } : {}),
      classifyOrphan: async (result) => {
        const record = await new KvStateStore(options.resources.state, names, result.jobId).getTask(
          result.taskId,
        );
        const current = record?.dispatchId === result.dispatchId && record.status === 'running';
        return current ? 'wait' : 'stale';
      },
    });
    const onJobEvent = options.onJobEvent;
    if (onJobEvent) this.hub.subscribeAll((e) => onJobEvent(e, this.active.get(e.jobId)?.job));
    ({ roster: this.roster, slots: this.slots } = clusterShare({
      nc: options.nc,
      resources: options.resources,
      ...(options.scheduling ? { scheduling: options.scheduling } : {}),
      ...(options.quotaOf ? { quotaOf: options.quotaOf } : {}),
      log: this.log,
    }));
  }

  /** Starts routing results and progress, and resumes every job an earlier coordinator left running. */
  async start(): Promise<void> {
    const names = this.o.resources.names;
    this.progressSub = this.o.nc.subscribe(names.allProgress, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const jobId = names.jobOfSubject(msg.subject)?.jobId ?? '';
          if (!this.active.has(jobId)) return;
          const m = decodeMessage(progressMessageSchema, msg.data, 'progress message');
          this.hub.publish(jobId, { type: 'task-progress', id: m.taskId, progress: m.progress });
        } catch {
          // A malformed progress message is only a missed progress line.
        }
      },
    });
    // The workers first: resumed jobs' tasks are dispatched as far as their slots allow.
    await this.roster.start();
    for (const record of await this.jobs.listJobs()) {
      if (record.status === 'running') {
        this.log(`resuming job ${record.id}`);
        this.launch(record);
      }
    }
    this.router.start();
  }

  /** Stops scheduling (jobs stay `running` in KV and resume with the next coordinator). */
  async stop(): Promise<void> {
    for (const job of this.active.values()) {
      job.reason = 'shutdown';
      job.controller.abort();
    }
    await Promise.all([...this.active.values()].map((j) => j.done));
    await this.roster.stop();
    await this.router.stop();
    this.progressSub?.unsubscribe();
    await this.dataCache.close();
  }

  async submitJob(request: SubmitJobRequest, caller?: TokenIdentity): Promise<SubmittedJob> {
    await this.turns.next();
    const parsed = parseJobText(request.jobText, request.fileName);
    const uploaded = new Map(request.files.map((f) => [f.path, f.bytes]));
    const named = jobDataFiles(parsed);
    const missing = named.filter((p) => !uploaded.has(p));
    if (missing.length > 0) {
      throw new NonRetryableError(`the job names data files that were not uploaded: ${missing.join(', ')}`);
    }
    const uploadedBytes = request.files.reduce((n, f) => n + f.bytes.byteLength, 0);
    checkJobLimits(parsed, uploadedBytes, this.limits);
    // Data and model files are checked before the job is accepted, whatever the client checked: bad
    // input is refused here (INVALID_ARGUMENT, the file named as the job file names it), never by a worker.
    const data = await checkJobData(parsed, uploaded);
    const models = modelFilesFromUploads(parsed, uploaded, new Set(named), request.fileName);
    const unclaimed = request.files
      .map((f) => f.path)
      .filter((p) => !named.includes(p) && !models.used.has(p));
    if (unclaimed.length > 0) {
      throw new NonRetryableError(`uploaded files the job does not name: ${unclaimed.join(', ')}`);
    }
    if (models.contents.length > 0) {
      await this.turns.next();
      const known = knownDataShape(parsed.data);
      const shape = data ?? {
        sampleShape: known.sampleShape ?? [],
        classes: parsed.data.classes ?? known.classes ?? 0,
      };
      await checkJobModelFiles(models.contents, shape, request.fileName);
    }

    const keyOf = uploadKeys(parsed);
    const job = withUploadedPaths(parsed, keyOf);
    const existing = request.fresh ? undefined : await this.findResumable(job);
    const jobId = existing?.id ?? newJobId(job.name);
    const store = this.storeOf(jobId);
    for (const [path, key] of keyOf) await store.put(key, uploaded.get(path) ?? new Uint8Array());
    // Where the tasks load them from; a resumed job whose model file changed is refused.
    await storeModelFiles(models.contents, store);

    // Who submitted it and at what priority: the latest submission's say, for a resumed job too.
    const share = {
      priority: request.priority ?? job.runtime.priority ?? DEFAULT_PRIORITY,
      ...(caller ? { client: caller.name } : {}),
      ...(caller?.maxSlots !== undefined ? { maxSlots: caller.maxSlots } : {}),
    };
    const record: JobRecord = existing
      ? { ...withoutOutcome(existing), status: 'running', jobText: request.jobText, ...share }
      : {
          id: jobId,
          name: job.name,
          status: 'running',
          submittedAt: Date.now(),
          jobText: request.jobText,
          job,
          ...share,
        };
    await this.jobs.putJob(record);
    if (data) this.dataCache.put(jobId, data);
    const tasks = planJob(job);
    // A new job has no task records yet: reading them (one KV get per task) would only slow a burst of submissions.
    const done = existing
      ? (await this.taskRecords(jobId, job)).filter((t) => t?.status === 'done').length
      : 0;
    this.launch(record, !existing);
    this.log(`job ${jobId} submitted (${tasks.length} tasks${done ? `, ${done} already done` : ''})`);
    return { jobId, name: job.name, tasks: tasks.length, alreadyDone: done };
  }

  async getJob(jobId: string): Promise<JobStatus> {
    const record = await this.requireJob(jobId);
    const records = await this.taskRecords(jobId, record.job);
    const taken = this.takenDispatches();
    const tasks = planJob(record.job).map((t, i) => {
      const r = records[i];
      return {
        id: t.id,
        type: t.type,
        state: clientState(r, taken),
        // A redelivery (a worker died mid-task) is an attempt too, though the scheduler did not start it.
        attempts: Math.max(r?.attempts ?? 0, r?.deliveries ?? 0),
        ...(r?.error ? { lastError: r.error } : {}),
        ...(r?.startedAt ? { startedAt: r.startedAt } : {}),
        ...(r?.finishedAt ? { finishedAt: r.finishedAt } : {}),
      };
    });
    return {
      ...this.summarize(
        record,
        tasks.map((t) => t.state),
      ),
      tasks,
    };
  }

  /**
   * The job's events until it ends. It subscribes before it reads the job's state, so an event in
   * between is not lost; and since a job's final event is published before its record says it ended,
   * the record is read again once its run has finished (and every few seconds, whatever happens), so a
   * job that ends while the watch starts still ends the watch.
   */
  async watchJob(jobId: string, emit: (event: JobEvent) => void, signal: AbortSignal): Promise<void> {
    await this.requireJob(jobId);
    let ended = false;
    let live = false;
    let wake!: () => void;
    const over = new Promise<void>((resolve) => (wake = resolve));
    const end = () => {
      ended = true;
      wake();
    };
    const deliver = (e: JobEvent) => {
      if (ended) return;
      emit(e);
      if (isFinal(e.event)) end();
    };
    const early: JobEvent[] = [];
    const unsubscribe = this.hub.subscribe(jobId, (e) => (live ? deliver(e) : early.push(e)));
    signal.addEventListener('abort', end, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const status = await this.getJob(jobId);
      emit({
        jobId,
        time: Date.now(),
        event: { type: 'job-started', total: status.tasks.length, alreadyDone: status.counts.done },
      });
      live = true;
      for (const e of early.splice(0)) deliver(e);
      const checkEnded = async () => {
        if (ended) return;
        const record = await this.jobs.getJob(jobId).catch(() => undefined);
        if (record && record.status !== 'running')
          deliver({ jobId, time: Date.now(), event: finalEvent(record) });
      };
      await checkEnded();
      void this.active.get(jobId)?.done.then(checkEnded);
      timer = setInterval(() => void checkEnded(), WATCH_RECHECK_MS);
      await over;
    } finally {
      clearInterval(timer);
      unsubscribe();
      signal.removeEventListener('abort', end);
    }
  }

  async cancelJob(jobId: string): Promise<JobSummary> {
    const record = await this.requireJob(jobId);
    const active = this.active.get(jobId);
    if (active) {
      active.reason = 'cancel';
      active.controller.abort();
      this.o.nc.publish(this.o.resources.names.cancelSubject(jobId), '');
      await active.done;
    } else if (record.status === 'running') {
      await this.jobs.updateJob(jobId, (r) => ({ ...r, status: 'cancelled', finishedAt: Date.now() }));
    }
    const after = await this.requireJob(jobId);
    const status = await this.getJob(jobId);
    return this.summarize(
      after,
      status.tasks.map((t) => t.state),
    );
  }

  async listJobs(): Promise<JobSummary[]> {
    const records = await this.jobs.listJobs();
    const taken = this.takenDispatches();
    const out: JobSummary[] = [];
    for (const r of records.reverse()) {
      const records = await this.taskRecords(r.id, r.job);
      out.push(
        this.summarize(
          r,
          records.map((t) => clientState(t, taken)),
        ),
      );
    }
    return out;
  }

  /** The dispatches some worker runs now, as their heartbeats list them. */
  private takenDispatches(): ReadonlySet<string> {
    return new Set(this.roster.running().keys());
  }

  /**
   * Ready tasks no worker has taken yet (metrics: the queue depth): those the coordinator holds back
   * for a slot, and the messages in the work queue.
   */
  async queuedTasks(): Promise<number> {
    const { jsm, names } = this.o.resources;
    const onQueue = (await jsm.consumers.info(names.taskStream, names.taskConsumer)).num_pending;
    return onQueue + this.slots.waiting();
  }

  /** Slots running this coordinator's tasks, by their job's priority and client (metrics). */
  busySlots(): BusySlotCount[] {
    return this.slots.busySlots();
  }

  /**
   * Every live worker, from its last heartbeat. The listed id comes from the heartbeat's key, whose
   * worker name the writer's NATS user may write (workerPermissions), not from what it says of itself.
   */
  listWorkers(): Promise<WorkerInfo[]> {
    return Promise.resolve(this.roster.workers().map(({ tasks: _tasks, draining: _draining, ...w }) => w));
  }

  async getReport(jobId: string): Promise<ReportText> {
    await this.requireJob(jobId);
    const store = this.storeOf(jobId);
    if (!(await store.has('report.json'))) throw new NotFoundError(`job ${jobId} has no report yet`);
    const text = async (key: string) => new TextDecoder().decode(await store.get(key));
    return { json: await text('report.json'), markdown: await text('report.md') };
  }

  async listArtifacts(jobId: string): Promise<ArtifactInfo[]> {
    const record = await this.requireJob(jobId);
    if (record.status !== 'done') {
      throw new JobNotDoneError(
        `job ${jobId} is ${record.status}: its report and models can be fetched once it is done`,
      );
    }
    return listJobArtifacts(this.storeOf(jobId));
  }

  async readArtifact(jobId: string, path: string): Promise<Uint8Array> {
    await this.requireJob(jobId);
    if (!isFetchedKey(path)) throw new NotFoundError(`job ${jobId} has no file ${JSON.stringify(path)}`);
    return this.storeOf(jobId).get(path);
  }

  /** Logits from a worker: stored for the tasks and the report that read them, unless superseded. */
  async onLogits(logits: LogitArray): Promise<void> {
    const record = await new KvStateStore(
      this.o.resources.state,
      this.o.resources.names,
      logits.jobId,
    ).getTask(logits.taskId);
    if (!record || record.dispatchId !== logits.dispatchId) {
      this.log(`ignoring logits from a superseded attempt of ${logits.taskId}`);
      return;
    }
    if (!logits.key.startsWith('predictions/')) {
      throw new NonRetryableError(`logit key must start with predictions/: ${logits.key}`);
    }
    await putFloat32(this.storeOf(logits.jobId), logits.key, logits.values);
    this.o.onLogitBytes?.(logits.values.byteLength);
  }

  /** `isNew`: a job submitted just now, with no task records in KV yet (nothing to list). */
  private launch(record: JobRecord, isNew = false): void {
    if (this.active.has(record.id)) return;
    const controller = new AbortController();
    const entry: ActiveJob = { job: record.job, controller, reason: undefined, done: Promise.resolve() };
    // Registered before the run starts, so that its first events find the job.
    this.active.set(record.id, entry);
    this.slots.addJob({
      jobId: record.id,
      priority: priorityOf(record),
      ...(record.client !== undefined ? { client: record.client } : {}),
      ...(record.maxSlots !== undefined ? { maxSlots: record.maxSlots } : {}),
      submittedAt: record.submittedAt,
    });
    entry.done = runDistributedJob(
      {
        resources: this.o.resources,
        router: this.router,
        jobs: this.jobs,
        hub: this.hub,
        dataCache: this.dataCache,
        log: this.log,
        stopWorkers: (jobId) => this.o.nc.publish(this.o.resources.names.cancelSubject(jobId), ''),
        turns: this.turns,
        slots: this.slots,
      },
      record,
      controller.signal,
      () => entry.reason,
      isNew,
    )
      .catch((err: unknown) => this.log(`job ${record.id}: ${String(err)}`))
      .finally(() => {
        this.active.delete(record.id);
        this.slots.removeJob(record.id);
      });
  }

  private summarize(record: JobRecord, states: readonly TaskState[]): JobSummary {
    return { ...summarize(record, states), slots: this.slots.heldBy(record.id) };
  }

  private async findResumable(job: ResolvedJob): Promise<JobRecord | undefined> {
    const identity = (j: ResolvedJob) => JSON.stringify({ ...j, runtime: undefined });
    const jobs = await this.jobs.listJobs();
    return jobs
      .reverse()
      .find(
        (r) =>
          r.name === job.name &&
          r.status !== 'done' &&
          !this.active.has(r.id) &&
          identity(r.job) === identity(job),
      );
  }

  /**
   * The records of a job's planned tasks, in plan order (undefined: not started). Read key by key:
   * listing KV keys while tasks are being written was seen to stall for seconds.
   */
  private taskRecords(jobId: string, job: ResolvedJob): Promise<(KvTaskRecord | undefined)[]> {
    const store = new KvStateStore(this.o.resources.state, this.o.resources.names, jobId);
    return Promise.all(planJob(job).map((t) => store.getTask(t.id)));
  }

  /** The job's record; NotFoundError when there is none. A NATS failure is not "no job": it propagates (UNAVAILABLE). */
  private async requireJob(jobId: string): Promise<JobRecord> {
    try {
      this.o.resources.names.jobKey(jobId);
    } catch {
      throw new NotFoundError(`no job ${jobId}`); // an id that is not even a valid key
    }
    const record = await this.jobs.getJob(jobId);
    if (!record) throw new NotFoundError(`no job ${jobId}`);
    return record;
  }

  private storeOf(jobId: string): NatsArtifactStore {
    return new NatsArtifactStore(this.o.resources.objects, this.o.resources.names.artifactPrefix(jobId));
  }
}

/** A failed or cancelled job being resumed loses its old outcome. */
function withoutOutcome(record: JobRecord): JobRecord {
  const { finishedAt: _finishedAt, error: _error, failedTask: _failedTask, ...rest } = record;
  return rest;
}

function newJobId(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
  return `${safe}-${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3)
    .toString(36)
    .padStart(3, '0')}`;
}

/**
 * A task's state for clients: a `running` record whose dispatch no worker's heartbeat lists is still
 * waiting in the work queue (or its worker has stopped answering and JetStream will redeliver it).
 */
function clientState(record: KvTaskRecord | undefined, taken: ReadonlySet<string>): TaskState {
  const status = record?.status ?? 'pending';
  // Not yet dispatched (the coordinator holds it back for a slot) is queued too.
  if (status === 'running' && (record?.dispatchId === undefined || !taken.has(record.dispatchId)))
    return 'queued';
  return status;
}

/** A job's class: as submitted, else its file's; normal for a record from before priorities. */
function priorityOf(record: JobRecord): Priority {
  return record.priority ?? record.job.runtime.priority ?? DEFAULT_PRIORITY;
}

function summarize(record: JobRecord, states: readonly TaskState[]): Omit<JobSummary, 'slots'> {
  const counts: TaskCounts = { pending: 0, queued: 0, running: 0, done: 0, failed: 0 };
  for (const s of states) counts[s]++;
  return {
    jobId: record.id,
    name: record.name,
    state: record.status,
    counts,
    submittedAt: record.submittedAt,
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    ...(record.error ? { error: record.error } : {}),
    priority: priorityOf(record),
    ...(record.client !== undefined ? { client: record.client } : {}),
  };
}

/** How often a watch re-reads its job's record, should it have missed the final event. */
const WATCH_RECHECK_MS = 5000;

function isFinal(event: JobEvent['event']): boolean {
  return event.type === 'job-done' || event.type === 'job-failed' || event.type === 'job-interrupted';
}

function finalEvent(record: JobRecord): JobEvent['event'] {
  if (record.status === 'done')
    return { type: 'job-done', seconds: ((record.finishedAt ?? Date.now()) - record.submittedAt) / 1000 };
  if (record.status === 'failed') {
    return record.failedTask
      ? { type: 'job-failed', taskId: record.failedTask.taskId, error: record.failedTask.reason }
      : { type: 'job-failed', taskId: '', error: record.error ?? 'failed' };
  }
  return { type: 'job-interrupted' };
}
