import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The control for the coordinator's event-loop lag: a Node process that does nothing but measure its
 * own event-loop delay the way prom-client does (monitorEventLoopDelay, 10 ms resolution), started by
 * the bench like the coordinator (same session, so the same share of a busy machine). Whatever lag it
 * sees is the machine's scheduling, not work on the loop; the coordinator's lag above it is its own.
 */
const SCRIPT = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
// One answer per newline: two requests written close together can arrive as one chunk.
process.stdin.on('data', (chunk) => {
  for (const byte of chunk) {
    if (byte !== 10) continue;
    process.stdout.write(JSON.stringify({ maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6 }) + '\\n');
    h.reset();
  }
});
process.stdin.on('end', () => process.exit(0));
`;

export interface LagReading {
  maxMs: number;
  p99Ms: number;
}

export class IdleLagProbe {
  private readonly child: ChildProcess;
  private readonly pending: ((r: LagReading | null) => void)[] = [];
  private partial = '';

  constructor() {
    this.child = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.partial += chunk;
      const lines = this.partial.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.pending.shift()?.(JSON.parse(line) as LagReading);
    });
    this.child.once('close', () => {
      for (const p of this.pending.splice(0)) p(null);
    });
  }

  /** The worst delay since the previous reading (then resets), or null if the probe is gone. */
  read(): Promise<LagReading | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.stdin?.write('\n');
    });
  }

  /** Ends the probe (by closing its stdin; SIGKILL to its pid if it lingers). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise((r) => this.child.once('close', r));
    this.child.stdin?.end();
    const force = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await closed;
    clearTimeout(force);
  }
}
