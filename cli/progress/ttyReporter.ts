import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import type { TaskProgress } from '../../core/tasks/taskProgress.ts';
import type { TaskResult } from '../../core/tasks/taskResult.ts';
import {
  RUN_WORDING,
  type ProgressReporter,
  type ReporterWording,
  type RunInfo,
} from './progressReporter.ts';

/** Minimum time between two frames (at most ~10 redraws a second). */
const FRAME_MS = 100;
/** With no events, redraw this often anyway so the clocks move. */
const IDLE_REDRAW_MS = 1000;
/** ETA is not shown before this much of the run has passed: the first seconds say little. */
const ETA_AFTER_MS = 3000;

const ESC = '\x1b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/** A task the live block shows. Times are milliseconds on the reporter's clock. */
export interface RunningTask {
  id: string;
  attempt: number;
  startedAt: number;
  progress: TaskProgress | undefined;
}

/** Everything the live block is drawn from; `renderBlock` is a pure function of it. */
export interface BlockState {
  job: string | undefined;
  /** Tasks in the job; 0 until the scheduler has said. */
  total: number;
  /** Tasks done, including those an earlier run finished (resume). */
  done: number;
  /** Tasks already done when this run started: they say nothing about this run's speed. */
  alreadyDone: number;
  running: readonly RunningTask[];
  startedAt: number;
  now: number;
}

/** How far through a task is, in [0, 1], from its latest progress report. */
export function taskFraction(p: TaskProgress | undefined): number {
  if (!p) return 0;
  const within = p.batch !== undefined && p.batches ? Math.min(1, p.batch / p.batches) : 0;
  if (p.epoch !== undefined && p.epochs) return clamp01((p.epoch - 1 + within) / p.epochs);
  return within;
}

/**
 * Seconds left, extrapolating this run's rate of finished work (done tasks plus running tasks'
 * fractions) over the work left. Every task counts the same, since the events do not say which kinds
 * are still pending; undefined until there is enough to go on.
 */
export function estimateEtaSeconds(state: BlockState): number | undefined {
  if (state.total <= 0) return undefined;
  const elapsed = state.now - state.startedAt;
  const partial = state.running.reduce((sum, t) => sum + taskFraction(t.progress), 0);
  const worked = state.done - state.alreadyDone + partial;
  const left = Math.max(0, state.total - state.done - partial);
  if (elapsed < ETA_AFTER_MS || worked < 0.01) return undefined;
  return ((elapsed / 1000) * left) / worked;
}

/**
 * The live block: a header (tasks done/total, a bar, elapsed time, ETA) and one line per running task,
 * each cut to `width` characters; at most `maxLines` lines (extra tasks are summarised).
 */
export function renderBlock(state: BlockState, width: number, maxLines = Number.POSITIVE_INFINITY): string[] {
  const fit = (line: string) => truncate(line.replace(CONTROL_CHARS, ' '), width);
  const lines = [fit(renderHeader(state, width))];
  const room = Math.max(0, Math.floor(maxLines) - 1);
  const running = state.running;
  const shown = running.length <= room ? running : running.slice(0, Math.max(0, room - 1));
  const idWidth = Math.min(28, Math.max(0, ...shown.map((t) => t.id.length)));
  for (const t of shown) lines.push(fit(renderTask(t, idWidth, state.now)));
  if (shown.length < running.length && room > 0)
    lines.push(fit(`  … and ${running.length - shown.length} more running`));
  return lines;
}

function renderHeader(state: BlockState, width: number): string {
  const name = state.job ?? 'chorus';
  if (state.total <= 0) return `${name}  starting…`;
  const fraction = clamp01(
    (state.done + state.running.reduce((sum, t) => sum + taskFraction(t.progress), 0)) / state.total,
  );
  const eta = estimateEtaSeconds(state);
  const tail =
    `  ${state.done}/${state.total} tasks  ${formatDuration((state.now - state.startedAt) / 1000)}` +
    (eta !== undefined ? `  ETA ${formatDuration(eta)}` : '');
  // The bar takes what the text leaves, within limits, and disappears on very narrow terminals.
  const barWidth = Math.min(30, width - name.length - tail.length - 2);
  if (barWidth < 5) return `${name}${tail}`;
  const filled = Math.round(fraction * barWidth);
  return `${name}  ${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}${tail}`;
}

function renderTask(t: RunningTask, idWidth: number, now: number): string {
  const p = t.progress;
  const parts: string[] = [];
  if (p?.epoch !== undefined) parts.push(`epoch ${p.epoch}/${p.epochs ?? '?'}`);
  if (p?.batch !== undefined) parts.push(`batch ${p.batch}/${p.batches ?? '?'}`);
  if (p?.loss !== undefined) parts.push(`loss ${formatNumber(p.loss)}`);
  if (p?.samplesPerSecond !== undefined) parts.push(`${Math.round(p.samplesPerSecond)} samples/s`);
  if (p?.message) parts.push(p.message);
  if (parts.length === 0) parts.push('starting…');
  if (t.attempt > 1) parts.push(`(attempt ${t.attempt})`);
  const elapsed = formatDuration((now - t.startedAt) / 1000).padStart(5);
  return `  ${t.id.padEnd(idWidth)}  ${elapsed}  ${parts.join('  ')}`;
}

/** Cuts `text` to `width` characters (code points), marking a cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** `m:ss`, or `h:mm:ss` from an hour. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(4);
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** The part of a TTY write stream the reporter uses (process.stderr is one). */
export interface TtyStream {
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean;
  columns?: number;
  rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

export interface TtyReporterOptions {
  /** Where the block is drawn; default process.stderr. */
  stream?: TtyStream;
  /**
   * Other streams on the same terminal: what is written to them (and to `stream`) while the block is
   * live goes above it instead of through it. Default: process.stdout when it is a TTY.
   */
  alsoIntercept?: TtyStream[];
  now?: () => number;
  /** Calls `tick` every `ms` until the returned function is called; default setInterval, unref'd. */
  startTicker?: (tick: () => void, ms: number) => () => void;
  /** Colour the ✓/✗ marks of permanent lines; default unless NO_COLOR is set. */
  color?: boolean;
  /** Default: a run in this process. */
  wording?: ReporterWording;
}

/** Output waiting for the next frame, to be printed above the block, on the stream it was meant for. */
interface Pending {
  write: (text: string) => void;
  text: string;
}

/** A stream whose `write` the reporter has replaced while the block is live. */
interface Intercepted {
  stream: TtyStream;
  raw: (text: string) => void;
  hadOwnWrite: boolean;
  ownWrite: unknown;
  partial: string;
}

/**
 * Live progress on a terminal: a block redrawn in place (header + one line per running task), with
 * finished tasks, failures and anything else written to the terminal printed as permanent lines above
 * it, so nothing is lost when the block is redrawn.
 */
export class TtyReporter implements ProgressReporter {
  private readonly stream: TtyStream;
  private readonly others: TtyStream[];
  private readonly now: () => number;
  private readonly startTicker: (tick: () => void, ms: number) => () => void;
  private readonly color: boolean;
  private readonly wording: ReporterWording;

  private job: string | undefined;
  private total = 0;
  private done = 0;
  private alreadyDone = 0;
  private startedAt: number;
  private readonly running = new Map<string, RunningTask>();

  private live = false;
  private stopped = false;
  private stopTicker: (() => void) | undefined;
  private readonly intercepted: Intercepted[] = [];
  private pending: Pending[] = [];
  private dirty = false;
  private lastDraw = Number.NEGATIVE_INFINITY;
  /** The block's lines as last drawn, to know how many rows to move up over. */
  private drawn: string[] = [];
  private readonly onResize = () => this.draw();
  private readonly onExit = () => this.finish();

  constructor(options: TtyReporterOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.others =
      options.alsoIntercept ?? (options.stream === undefined && process.stdout.isTTY ? [process.stdout] : []);
    this.now = options.now ?? Date.now;
    this.startTicker = options.startTicker ?? defaultTicker;
    this.color = options.color ?? !('NO_COLOR' in process.env);
    this.wording = options.wording ?? RUN_WORDING;
    this.startedAt = this.now();
  }

  start(info: RunInfo): void {
    this.job = info.job;
    const c = info.counts;
    this.permanent(
      `job ${info.job}: ${c.train} train / ${c.validation} validation / ${c.test} test samples, ${c.classes} classes; ${info.slots} slot(s); output ${info.outDir}`,
    );
  }

  event(e: SchedulerEvent): void {
    const now = this.now();
    switch (e.type) {
      case 'job-started':
        this.total = e.total;
        this.done = e.alreadyDone;
        this.alreadyDone = e.alreadyDone;
        this.startedAt = now;
        if (e.alreadyDone > 0) this.permanent(this.wording.alreadyDone(e.alreadyDone, e.total));
        break;
      case 'task-started':
        this.running.set(e.id, { id: e.id, attempt: e.attempt, startedAt: now, progress: undefined });
        break;
      case 'task-progress': {
        // A late report for a task already finished must not bring it back.
        const t = this.running.get(e.id);
        if (t) t.progress = e.progress;
        break;
      }
      case 'task-done':
        this.running.delete(e.id);
        this.done++;
        this.permanent(
          `${this.mark('✓', 32)} ${e.id}  ${e.seconds.toFixed(1)} s${resultSummary(e.result)}  [${this.done}/${this.total}]`,
        );
        break;
      case 'task-failed':
        this.running.delete(e.id);
        this.permanent(
          `${this.mark('✗', e.willRetry ? 33 : 31)} ${e.id} (attempt ${e.attempt}): ${e.error}${e.willRetry ? ' - will retry' : ''}`,
        );
        break;
      case 'job-done':
        this.permanent(`${this.mark('✓', 32)} job done in ${formatDuration(e.seconds)}`);
        break;
      case 'job-failed':
        this.running.clear();
        this.permanent(`${this.mark('✗', 31)} job failed: ${e.error}`);
        break;
      case 'job-interrupted':
        this.running.clear();
        this.permanent(this.wording.interrupted);
        break;
    }
    this.requestDraw();
  }

  /** Erases the block, prints what is pending and shows the cursor again. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.live) return;
    this.stopTicker?.();
    this.stream.off('resize', this.onResize);
    process.off('exit', this.onExit);
    this.finish();
    for (const i of this.intercepted) {
      if (i.hadOwnWrite) (i.stream as { write: unknown }).write = i.ownWrite;
      else Reflect.deleteProperty(i.stream, 'write');
    }
    this.intercepted.length = 0;
  }

  /** The current state, as `renderBlock` draws it. */
  snapshot(): BlockState {
    return {
      job: this.job,
      total: this.total,
      done: this.done,
      alreadyDone: this.alreadyDone,
      running: [...this.running.values()],
      startedAt: this.startedAt,
      now: this.now(),
    };
  }

  private permanent(line: string): void {
    if (this.stopped) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.goLive();
    this.pending.push({ write: this.rawWrite(this.stream), text: `${line}\n` });
  }

  private goLive(): void {
    if (this.live || this.stopped) return;
    this.live = true;
    for (const stream of [this.stream, ...this.others]) this.intercept(stream);
    this.stream.on('resize', this.onResize);
    // Restore the cursor even when the process exits without stop() (a second Ctrl-C, process.exit).
    process.on('exit', this.onExit);
    this.rawWrite(this.stream)(HIDE_CURSOR);
    this.stopTicker = this.startTicker(() => this.tick(), FRAME_MS);
  }

  /** Routes other writers' output above the block; complete lines only, so the block stays whole. */
  private intercept(stream: TtyStream): void {
    const hadOwnWrite = Object.prototype.hasOwnProperty.call(stream, 'write');
    const entry: Intercepted = {
      stream,
      raw: stream.write.bind(stream) as (text: string) => void,
      hadOwnWrite,
      ownWrite: hadOwnWrite ? stream.write : undefined,
      partial: '',
    };
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      entry.partial += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
      const end = entry.partial.lastIndexOf('\n') + 1;
      if (end > 0) {
        this.pending.push({ write: entry.raw, text: entry.partial.slice(0, end) });
        entry.partial = entry.partial.slice(end);
        this.requestDraw();
      }
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      if (callback) process.nextTick(callback);
      return true;
    };
    this.intercepted.push(entry);
  }

  private rawWrite(stream: TtyStream): (text: string) => void {
    const entry = this.intercepted.find((i) => i.stream === stream);
    return entry ? entry.raw : (text) => stream.write(text);
  }

  private requestDraw(): void {
    this.goLive();
    this.dirty = true;
    if (this.now() - this.lastDraw >= FRAME_MS) this.draw();
  }

  private tick(): void {
    const since = this.now() - this.lastDraw;
    // 0.8: timer jitter must not skip a frame, and two frames are never much closer than FRAME_MS.
    if ((this.dirty && since >= FRAME_MS * 0.8) || since >= IDLE_REDRAW_MS) this.draw();
  }

  /** One frame: move up over the old block, clear, print pending lines, draw the block again. */
  private draw(): void {
    if (!this.live || this.stopped) return;
    const columns = this.columns();
    const lines = renderBlock(this.snapshot(), columns - 1, Math.max(1, (this.stream.rows || 24) - 1));
    this.output(this.eraseBlock(columns), lines.map((l) => `${l}\n`).join(''));
    this.drawn = lines;
    this.dirty = false;
    this.lastDraw = this.now();
  }

  /** The last frame: erase the block, print what is pending (and any unfinished line), show the cursor. */
  private finish(): void {
    if (!this.live) return;
    for (const i of this.intercepted) {
      if (i.partial) this.pending.push({ write: i.raw, text: i.partial });
      i.partial = '';
    }
    this.output(this.eraseBlock(this.columns()), SHOW_CURSOR);
    this.drawn = [];
    this.live = false;
  }

  /** Writes `before`, the pending output, then `after`, merging what goes to the block's stream. */
  private output(before: string, after: string): void {
    const raw = this.rawWrite(this.stream);
    let buffer = before;
    for (const p of this.pending) {
      if (p.write === raw) {
        buffer += p.text;
        continue;
      }
      if (buffer) raw(buffer);
      buffer = '';
      p.write(p.text);
    }
    this.pending = [];
    buffer += after;
    if (buffer) raw(buffer);
  }

  /**
   * Blanks the rows the block covers and leaves the cursor on its first row. Most terminals (tmux,
   * VTE, iTerm2, Windows Terminal) re-wrap lines when narrowed, so a line drawn wider than the
   * terminal now is counts as the rows it now takes. Rows are erased one by one rather than with
   * "clear to end of screen": from the top-left corner that clears the whole screen, which tmux
   * (scroll-on-clear) turns into scrolling the old block into the history, once per frame.
   */
  private eraseBlock(columns: number): string {
    if (this.drawn.length === 0) return '';
    const rows = this.drawn.reduce(
      (n, line) => n + Math.max(1, Math.ceil(Array.from(line).length / columns)),
      0,
    );
    return `\r${ESC}${rows}A${`${ESC}2K${ESC}B`.repeat(rows)}${ESC}${rows}A`;
  }

  private columns(): number {
    return Math.max(2, this.stream.columns || 80);
  }

  private mark(symbol: string, colour: number): string {
    return this.color ? `${ESC}${colour}m${symbol}${ESC}39m` : symbol;
  }
}

/** A short summary of a finished task for its permanent line. */
function resultSummary(result: TaskResult): string {
  switch (result.type) {
    case 'train':
    case 'distill':
    case 'stack': {
      const loss = result.history.loss.at(-1);
      const val = result.history.valLoss?.at(-1);
      const resumed = 'resumedFromEpoch' in result && result.resumedFromEpoch > 0;
      return (
        (loss !== undefined ? `  loss ${formatNumber(loss)}` : '') +
        (val !== undefined ? `  val loss ${formatNumber(val)}` : '') +
        (resumed ? `  (resumed at epoch ${result.resumedFromEpoch + 1})` : '')
      );
    }
    case 'soft-labels':
      return `  samples ${result.start}-${result.end}`;
    default:
      return '';
  }
}

function defaultTicker(tick: () => void, ms: number): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}
