import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { TaskType } from '../../core/tasks/task.ts';
import type { TaskProgress } from '../../core/tasks/taskProgress.ts';
import { ensureDefaultMetrics } from '../../observability/defaultMetrics.ts';
import { isThreadMetricsMessage } from './threadMetricsMessage.ts';

/** Which task a worker-side observation belongs to. */
export interface TaskMetricsContext {
  /** The job's id (`job_id` label of the loss series). */
  job: string;
  /** The task's id, e.g. `train:mlp-0` (`task` label of the loss series). */
  task: string;
  kind: TaskType;
}

/** The backend a worker's threads run on, as `chorus_worker_backend_info` labels it. */
export interface WorkerBackendLabels {
  /** tfjs backend name: `tensorflow`, `wasm`, `cpu`. */
  name: string;
  /** npm package providing it; empty when unknown. */
  package?: string;
  version?: string;
  gpu?: boolean;
}

/** A training step takes ~1 ms (tiny MLP, native) to seconds (a conv net on wasm). */
const STEP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TRAINING_KINDS = ['train', 'distill', 'stack'] as const;

const taskKey = (ctx: TaskMetricsContext) => `${ctx.job}\n${ctx.task}`;

/**
 * A worker process's metrics (prefix `chorus_worker_`): its slots, what its threads train, and the
 * backend. Per-task series (the current loss) exist only while the task runs on this worker.
 */
export class WorkerMetrics {
  readonly registry: Registry;
  private readonly slots: Gauge;
  private readonly busySlots: Gauge;
  private readonly samples: Counter<'kind'>;
  private readonly stepSeconds: Histogram<'kind'>;
  private readonly loss: Gauge<'job_id' | 'task'>;
  private readonly tfMemory: Gauge;
  private readonly backendInfo: Gauge<'backend' | 'package' | 'version' | 'gpu'>;
  /** Per GPU index (`--gpus`): its slots, busy slots and samples trained. Bounded by the GPUs of a node. */
  private readonly gpuSlots: Gauge<'gpu'>;
  private readonly gpuBusySlots: Gauge<'gpu'>;
  private readonly gpuSamples: Counter<'gpu'>;
  /** Running tasks: whether they have a loss series, and their thread's last tfjs memory. */
  private backend: WorkerBackendLabels | undefined;
  private busyCount: (() => number) | undefined;
  private readonly gpuSlotCounts: Record<string, number> = {};
  private readonly running = new Map<
    string,
    { ctx: TaskMetricsContext; hasLoss: boolean; memory: number; gpu?: number }
  >();

  constructor(registry: Registry) {
    this.registry = registry;
    ensureDefaultMetrics(registry);
    const registers = [registry];
    this.slots = new Gauge({
      name: 'chorus_worker_slots',
      help: 'Task slots (threads) of this worker.',
      registers,
    });
    const busyCount = () => this.busyCount;
    this.busySlots = new Gauge({
      name: 'chorus_worker_busy_slots',
      help: 'Slots running a task now.',
      registers,
      // Read at scrape time when the worker loop keeps the count itself (`countBusyWith`).
      collect() {
        const count = busyCount();
        if (count) this.set(count());
      },
    });
    this.samples = new Counter({
      name: 'chorus_worker_samples_trained_total',
      help: 'Samples trained on by this worker, by task kind (train, distill, stack).',
      labelNames: ['kind'],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'chorus_worker_step_duration_seconds',
      help: 'Seconds per training step (one mini-batch), by task kind.',
      labelNames: ['kind'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.loss = new Gauge({
      name: 'chorus_worker_training_loss',
      help: 'Latest training loss of each task running on this worker.',
      labelNames: ['job_id', 'task'],
      registers,
    });
    this.tfMemory = new Gauge({
      name: 'chorus_worker_tfjs_memory_bytes',
      help: "Bytes held by tfjs tensors in the threads running this worker's tasks.",
      registers,
    });
    this.backendInfo = new Gauge({
      name: 'chorus_worker_backend_info',
      help: 'The tfjs backend the worker runs on (value 1).',
      labelNames: ['backend', 'package', 'version', 'gpu'],
      registers,
    });
    this.gpuSlots = new Gauge({
      name: 'chorus_worker_gpu_slots',
      help: 'Task slots (pool processes) placed on each GPU (--gpus, --slots-per-gpu).',
      labelNames: ['gpu'],
      registers,
    });
    const running = this.running;
    const gpuSlotCounts = this.gpuSlotCounts;
    this.gpuBusySlots = new Gauge({
      name: 'chorus_worker_gpu_busy_slots',
      help: 'Slots of each GPU running a task now.',
      labelNames: ['gpu'],
      registers,
      collect() {
        const busy = new Map<string, number>();
        for (const entry of running.values()) {
          if (entry.gpu !== undefined) busy.set(String(entry.gpu), (busy.get(String(entry.gpu)) ?? 0) + 1);
        }
        for (const gpu of Object.keys(gpuSlotCounts)) this.set({ gpu }, busy.get(gpu) ?? 0);
      },
    });
    this.gpuSamples = new Counter({
      name: 'chorus_worker_gpu_samples_trained_total',
      help: 'Samples trained on by the pool processes of each GPU.',
      labelNames: ['gpu'],
      registers,
    });
    for (const kind of TRAINING_KINDS) {
      this.samples.inc({ kind }, 0);
      this.stepSeconds.zero({ kind });
    }
  }

  setSlots(slots: number): void {
    this.slots.set(slots);
  }

  /** The GPU of each slot (a worker started with --gpus): the per-GPU series start at 0. */
  setGpuSlots(gpus: readonly number[]): void {
    for (const gpu of gpus) this.gpuSlotCounts[String(gpu)] = (this.gpuSlotCounts[String(gpu)] ?? 0) + 1;
    for (const [gpu, count] of Object.entries(this.gpuSlotCounts)) {
      this.gpuSlots.set({ gpu }, count);
      this.gpuSamples.inc({ gpu }, 0);
    }
  }

  /**
   * Reads busy slots from the worker loop at each scrape (e.g. `() => handle.busy()`), instead of
   * counting `taskStarted`/`taskEnded` calls.
   */
  countBusyWith(count: () => number): void {
    this.busyCount = count;
  }

  /**
   * Replaces the backend series (one per process: threads share the backend choice). A name-only
   * update for the backend already set keeps the package and version it had.
   */
  setBackend(info: WorkerBackendLabels): void {
    if (this.backend?.name === info.name && info.package === undefined) return;
    this.backend = info;
    this.backendInfo.reset();
    this.backendInfo.set(
      {
        backend: info.name,
        package: info.package ?? '',
        version: info.version ?? '',
        gpu: String(info.gpu ?? false),
      },
      1,
    );
  }

  taskStarted(ctx: TaskMetricsContext): void {
    if (this.running.has(taskKey(ctx))) return;
    this.running.set(taskKey(ctx), { ctx, hasLoss: false, memory: 0 });
    if (!this.busyCount) this.busySlots.set(this.running.size);
  }

  /** The task left this worker (done, failed, aborted): its series go. */
  taskEnded(ctx: TaskMetricsContext): void {
    const entry = this.running.get(taskKey(ctx));
    if (!entry) return;
    if (entry.hasLoss) this.loss.remove({ job_id: ctx.job, task: ctx.task });
    this.running.delete(taskKey(ctx));
    if (!this.busyCount) this.busySlots.set(this.running.size);
    this.refreshMemory();
  }

  /** A task's progress report: its loss, when it has one. */
  observeTaskProgress(progress: TaskProgress, ctx: TaskMetricsContext): void {
    if (progress.loss !== undefined) this.setLoss(ctx, progress.loss);
  }

  /**
   * Applies a pool thread's `metrics` message to this process's registry. Returns false (and changes
   * nothing) when the message is not a valid ThreadMetricsMessage.
   */
  applyThreadMetrics(message: unknown, ctx: TaskMetricsContext): boolean {
    if (!isThreadMetricsMessage(message)) return false;
    const kind = ctx.kind;
    if (message.samples > 0) this.samples.inc({ kind }, message.samples);
    const gpu = this.running.get(taskKey(ctx))?.gpu;
    if (gpu !== undefined && message.samples > 0) this.gpuSamples.inc({ gpu: String(gpu) }, message.samples);
    for (const s of message.stepSeconds) this.stepSeconds.observe({ kind }, s);
    if (message.loss !== undefined) this.setLoss(ctx, message.loss);
    const entry = this.running.get(taskKey(ctx));
    if (entry && message.tfMemoryBytes !== undefined) {
      entry.memory = message.tfMemoryBytes;
      this.refreshMemory();
    }
    return true;
  }

  /**
   * Applies any message a pool thread posts to its executor: `metrics` (this module's), `progress`
   * (its loss) and `backend`; other types are ignored. One call in the executor's port listener.
   */
  observeThreadMessage(message: unknown, ctx: TaskMetricsContext): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as {
      type?: unknown;
      progress?: TaskProgress;
      name?: unknown;
      package?: unknown;
      version?: unknown;
      gpu?: unknown;
      gpuIndex?: unknown;
    };
    if (m.type === 'metrics') this.applyThreadMetrics(message, ctx);
    else if (m.type === 'progress' && typeof m.progress === 'object' && m.progress !== null) {
      this.observeTaskProgress(m.progress, ctx);
    } else if (m.type === 'backend' && typeof m.name === 'string') {
      const entry = this.running.get(taskKey(ctx));
      if (entry && typeof m.gpuIndex === 'number') entry.gpu = m.gpuIndex;
      this.setBackend({
        name: m.name,
        ...(typeof m.package === 'string' ? { package: m.package } : {}),
        ...(typeof m.version === 'string' ? { version: m.version } : {}),
        ...(typeof m.gpu === 'boolean' ? { gpu: m.gpu } : {}),
      });
    }
  }

  /** Removes a job's series (tasks of a cancelled job that never reported their end). */
  dropJob(jobId: string): void {
    for (const { ctx } of [...this.running.values()]) if (ctx.job === jobId) this.taskEnded(ctx);
  }

  private setLoss(ctx: TaskMetricsContext, loss: number): void {
    if (!Number.isFinite(loss)) return;
    const entry = this.running.get(taskKey(ctx));
    // Only running tasks get a series: one that already ended could never be removed.
    if (!entry) return;
    entry.hasLoss = true;
    this.loss.set({ job_id: ctx.job, task: ctx.task }, loss);
  }

  private refreshMemory(): void {
    let total = 0;
    for (const entry of this.running.values()) total += entry.memory;
    this.tfMemory.set(total);
  }
}

/** A worker's metrics on `registry`, with the default process metrics. */
export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  return new WorkerMetrics(registry);
}
