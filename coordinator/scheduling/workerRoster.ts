import type { KV } from '@nats-io/kv';
import { decodeMessage } from '../../cluster/messages/codec.ts';
import { workerHeartbeatSchema, type WorkerHeartbeat } from '../../cluster/messages/workerHeartbeat.ts';
import type { NatsNames } from '../../cluster/nats/natsNames.ts';
import { listKeys } from '../../cluster/state/listKeys.ts';

/** A dispatch that a worker's heartbeat says it runs. */
export interface RunningDispatch {
  jobId: string;
  taskId: string;
  dispatchId: string;
  /** When it started, by the worker's clock; when the coordinator first saw it, if the worker did not say. */
  startedAt: number;
  /** `<name>/<instance>`, as `chorus workers` lists it. */
  workerId: string;
}

export interface WorkerRosterOptions {
  kv: KV;
  names: NatsNames;
  /** A worker not heard from for this long is gone (the workers bucket's entry age). */
  staleMs: number;
  /** Told after every change of the workers or what they run. */
  onChange?: () => void;
  log?: (line: string) => void;
  now?: () => number;
}

interface Entry {
  beat: WorkerHeartbeat;
  /** When this coordinator received it (its own clock: workers' clocks may differ). */
  receivedAt: number;
}

/**
 * The connected workers as their heartbeats in the workers bucket say, kept current by a watch on the
 * bucket (a heartbeat is written every few seconds and whenever a task starts or ends there): the
 * slots the coordinator may fill, and which dispatches run where. A worker whose entry is not renewed
 * within `staleMs` is dropped (the bucket expires entries without telling a watcher).
 */
export class WorkerRoster {
  private readonly o: WorkerRosterOptions;
  private readonly entries = new Map<string, Entry>();
  /** First sight of each running dispatch, for a worker that does not say when it started. */
  private readonly firstSeen = new Map<string, number>();
  private readonly now: () => number;
  private stopped = false;
  private watching: Promise<void> | undefined;
  private stopWatch: (() => void) | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(options: WorkerRosterOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  /** Reads every heartbeat once, then follows the bucket. */
  async start(): Promise<void> {
    // Watching first: a beat written while the bucket is read is not missed.
    const first = await this.o.kv.watch({ include: 'updates' });
    this.watching = this.watchLoop(first);
    const keys = await listKeys(this.o.kv);
    await Promise.all(
      keys.map(async (key) => {
        const entry = await this.o.kv.get(key).catch(() => null);
        if (entry?.operation === 'PUT') this.put(key, entry.value, false);
      }),
    );
    this.changed();
    this.pruneTimer = setInterval(() => this.prune(), Math.max(250, Math.min(1000, this.o.staleMs / 4)));
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    this.stopWatch?.();
    await this.watching?.catch(() => undefined);
  }

  /** Live workers, as listed by `chorus workers` (draining ones included). */
  workers(): WorkerHeartbeat[] {
    return [...this.entries.values()].map((e) => e.beat).sort((a, b) => a.workerId.localeCompare(b.workerId));
  }

  /** Slots of the live workers that take tasks (a draining worker takes none). */
  slots(): number {
    let n = 0;
    for (const { beat } of this.entries.values()) if (!beat.draining) n += beat.slots;
    return n;
  }

  /** Every dispatch some worker runs now, by dispatch id. */
  running(): Map<string, RunningDispatch> {
    const out = new Map<string, RunningDispatch>();
    for (const { beat } of this.entries.values()) {
      for (const t of beat.tasks) {
        out.set(t.dispatchId, {
          jobId: t.jobId,
          taskId: t.taskId,
          dispatchId: t.dispatchId,
          startedAt: t.startedAt ?? this.firstSeen.get(t.dispatchId) ?? this.now(),
          workerId: beat.workerId,
        });
      }
    }
    return out;
  }

  private async watchLoop(first: Awaited<ReturnType<KV['watch']>>): Promise<void> {
    let next: typeof first | undefined = first;
    while (!this.stopped) {
      try {
        const watcher = next ?? (await this.o.kv.watch({ include: 'updates' }));
        next = undefined;
        this.stopWatch = () => watcher.stop();
        if (this.stopped) watcher.stop();
        for await (const e of watcher) {
          if (e.operation === 'PUT') this.put(e.key, e.value, true);
          else if (this.entries.delete(e.key)) this.changed();
        }
      } catch (err) {
        if (this.stopped) return;
        this.o.log?.(`watching worker heartbeats: ${String(err)}; again in 1 s`);
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private put(key: string, value: Uint8Array, notify: boolean): void {
    // The key's worker name is the one the writer's NATS user may write: the id comes from it.
    const worker = this.o.names.workerOfKey(key);
    if (!worker) return;
    let beat: WorkerHeartbeat;
    try {
      beat = decodeMessage(workerHeartbeatSchema, value, 'worker heartbeat');
    } catch {
      return; // a malformed heartbeat is skipped; it expires on its own
    }
    const previous = this.entries.get(key);
    // The initial read and the watch may deliver the same worker's beats out of order.
    if (previous && previous.beat.lastSeen > beat.lastSeen) return;
    const now = this.now();
    for (const t of beat.tasks) if (!this.firstSeen.has(t.dispatchId)) this.firstSeen.set(t.dispatchId, now);
    this.entries.set(key, {
      beat: { ...beat, workerId: `${worker.name}/${worker.instance}` },
      receivedAt: now,
    });
    if (notify) this.changed();
  }

  private prune(): void {
    const now = this.now();
    let changed = false;
    for (const [key, e] of this.entries) {
      if (now - e.receivedAt > this.o.staleMs) {
        this.entries.delete(key);
        changed = true;
      }
    }
    const live = new Set<string>();
    for (const { beat } of this.entries.values()) for (const t of beat.tasks) live.add(t.dispatchId);
    for (const id of this.firstSeen.keys()) if (!live.has(id)) this.firstSeen.delete(id);
    if (changed) this.changed();
  }

  private changed(): void {
    try {
      this.o.onChange?.();
    } catch (err) {
      this.o.log?.(`worker roster listener: ${String(err)}`);
    }
  }
}
