import type { ThreadMetricsMessage } from './threadMetricsMessage.ts';

export interface ThreadMetricsRecorderOptions {
  /** Send at most this often (default 1 s): a step can take a millisecond, a message should not. */
  intervalMs?: number;
  /** Send before this many steps pile up, whatever the interval (default 1000). */
  maxSteps?: number;
  /** The thread's tfjs tensor bytes, e.g. `() => tf.memory().numBytes`. */
  memoryBytes?: () => number;
  /** Clock in ms; tests pass a fake one. */
  now?: () => number;
}

/**
 * Runs inside a pool thread: accumulates training steps and sends them to the main thread as
 * `ThreadMetricsMessage`s, batched by time. Call `flush` when the task ends so nothing is lost.
 */
export class ThreadMetricsRecorder {
  private readonly post: (message: ThreadMetricsMessage) => void;
  private readonly intervalMs: number;
  private readonly maxSteps: number;
  private readonly memoryBytes: (() => number) | undefined;
  private readonly now: () => number;
  private samples = 0;
  private steps: number[] = [];
  private loss: number | undefined;
  private lastSent: number;

  constructor(post: (message: ThreadMetricsMessage) => void, options: ThreadMetricsRecorderOptions = {}) {
    this.post = post;
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxSteps = options.maxSteps ?? 1000;
    this.memoryBytes = options.memoryBytes;
    this.now = options.now ?? (() => performance.now());
    this.lastSent = this.now();
  }

  /** One training step of `samples` samples that took `seconds` and ended at `loss`. */
  step(samples: number, seconds: number, loss?: number): void {
    this.samples += samples;
    this.steps.push(seconds);
    if (loss !== undefined && Number.isFinite(loss)) this.loss = loss;
    if (this.steps.length >= this.maxSteps || this.now() - this.lastSent >= this.intervalMs) this.flush();
  }

  /** Sends what has accumulated (with the current tfjs memory), if anything has. */
  flush(): void {
    const memory = this.memoryBytes?.();
    if (this.samples === 0 && this.steps.length === 0 && this.loss === undefined && memory === undefined)
      return;
    const message: ThreadMetricsMessage = { type: 'metrics', samples: this.samples, stepSeconds: this.steps };
    if (this.loss !== undefined) message.loss = this.loss;
    if (memory !== undefined) message.tfMemoryBytes = memory;
    this.samples = 0;
    this.steps = [];
    this.loss = undefined;
    this.lastSent = this.now();
    this.post(message);
  }
}
