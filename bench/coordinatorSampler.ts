import { IdleLagProbe } from './idleLagProbe.ts';
import { processMemory } from './processMemory.ts';

/** One look at the coordinator: its event-loop lag since the previous scrape, and its memory. */
export interface CoordinatorSample {
  /** ms since the sampler started. */
  at: number;
  phase: string;
  /** prom-client's `nodejs_eventloop_lag_max_seconds` / `_p99_seconds`, in ms; null if absent. */
  lagMaxMs: number | null;
  lagP99Ms: number | null;
  rssMB: number | null;
  /** The same lag in an idle Node process over the same interval (IdleLagProbe): the machine's share. */
  controlMaxMs: number | null;
  /**
   * `chorus_queue_depth`: ready tasks no worker runs, whether the coordinator holds them back for a
   * place in the work queue's window or they wait on the queue. Read from the same scrape (a second
   * reader of /metrics would reset the lag histogram between the sampler's windows).
   */
  queueDepth: number | null;
}

export interface PhaseSummary {
  samples: number;
  lagMaxMs: number | null;
  lagP99Ms: number | null;
  /** Samples (≈ 200 ms windows) whose worst lag reached `overMs`. */
  windowsOver: number;
  controlMaxMs: number | null;
  controlWindowsOver: number;
  rssMaxMB: number | null;
}

/** The value of an unlabelled sample `name` in Prometheus text format, or null. */
export function promValue(text: string, name: string): number | null {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([^ \\n]+)`, 'm').exec(text);
  if (!m?.[1]) return null;
  const v = Number(m[1]);
  return Number.isFinite(v) ? v : null;
}

/**
 * Scrapes the coordinator's /metrics every `intervalMs`. prom-client's default metrics read a
 * `monitorEventLoopDelay` histogram and reset it at every scrape, so each sample's lag max covers
 * exactly the time since the previous one, and the largest over a phase is that phase's worst stall.
 * The histogram samples every 10 ms (prom-client's default precision) and includes that interval, so
 * an idle loop shows ≈ 10 ms.
 */
export class CoordinatorSampler {
  readonly samples: CoordinatorSample[] = [];
  phase = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();
  private inFlight: Promise<void> | undefined;
  private readonly control = new IdleLagProbe();

  constructor(
    private readonly metricsUrl: string,
    private readonly pid: number,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.inFlight ??= this.sample().finally(() => (this.inFlight = undefined));
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
    await this.control.stop();
  }

  /** Takes one sample now (also used to close a phase, so its last stall is counted in it). */
  async sample(): Promise<void> {
    const phase = this.phase;
    const at = performance.now() - this.started;
    let lagMaxMs: number | null = null;
    let lagP99Ms: number | null = null;
    let queueDepth: number | null = null;
    const control = this.control.read();
    try {
      const res = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      const max = promValue(text, 'nodejs_eventloop_lag_max_seconds');
      const p99 = promValue(text, 'nodejs_eventloop_lag_p99_seconds');
      lagMaxMs = max === null ? null : max * 1000;
      lagP99Ms = p99 === null ? null : p99 * 1000;
      queueDepth = promValue(text, 'chorus_queue_depth');
    } catch {
      // a missed scrape: the next one covers its interval too
    }
    const rssMB = await processMemory(this.pid).then(
      (m) => m.rssMB,
      () => null,
    );
    const controlMaxMs = (await control)?.maxMs ?? null;
    this.samples.push({ at, phase, lagMaxMs, lagP99Ms, rssMB, controlMaxMs, queueDepth });
  }

  /** The queue depth of the latest scrape that read one (0 before any). */
  latestQueueDepth(): number {
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const depth = this.samples[i]?.queueDepth;
      if (depth !== null && depth !== undefined) return depth;
    }
    return 0;
  }

  /** Worst values over the samples of one phase; `overMs` counts the windows at or above it. */
  summary(phase: string, overMs = 100): PhaseSummary {
    const of = this.samples.filter((s) => s.phase === phase);
    const max = (xs: (number | null)[]) => {
      const known = xs.filter((x): x is number => x !== null);
      return known.length === 0 ? null : Math.max(...known);
    };
    return {
      samples: of.length,
      lagMaxMs: max(of.map((s) => s.lagMaxMs)),
      lagP99Ms: max(of.map((s) => s.lagP99Ms)),
      windowsOver: of.filter((s) => (s.lagMaxMs ?? 0) >= overMs).length,
      controlMaxMs: max(of.map((s) => s.controlMaxMs)),
      controlWindowsOver: of.filter((s) => (s.controlMaxMs ?? 0) >= overMs).length,
      rssMaxMB: max(of.map((s) => s.rssMB)),
    };
  }
}
