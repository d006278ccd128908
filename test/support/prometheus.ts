import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ChorusError } from '../../core/errors.ts';

/**
 * Starts a real Prometheus server (loopback, a free port, temporary storage) for integration tests,
 * scraping the targets it is given. A missing binary is an error, never a skip.
 */

export interface ScrapeJob {
  /** The `job` label of the scraped series. */
  job: string;
  /** `host:port` of each target. */
  targets: string[];
}

export interface PrometheusOptions {
  scrape?: ScrapeJob[];
  /** Scrape and rule-evaluation interval (default 1 s: tests should not wait long). */
  intervalSeconds?: number;
  /** Rule files to load (recording and alerting rules). */
  ruleFiles?: string[];
  /** How long to wait for /-/ready (default 20 s). */
  startTimeoutMs?: number;
}

/** A sample of an instant vector. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** What /api/v1/query answers. */
export type QueryResponse =
  | { status: 'success'; data: { resultType: string; result: unknown } }
  | { status: 'error'; errorType: string; error: string };

export interface Prometheus {
  readonly url: string;
  readonly port: number;
  /** The raw answer of an instant query: `status: 'error'` for a query that does not parse. */
  queryRaw(expr: string): Promise<QueryResponse>;
  /** An instant query that must succeed and return a vector. */
  query(expr: string): Promise<VectorSample[]>;
  /** Polls `expr` until `accept` holds for its result, or throws after `timeoutMs` (default 15 s). */
  waitFor(
    expr: string,
    accept: (samples: VectorSample[]) => boolean,
    timeoutMs?: number,
  ): Promise<VectorSample[]>;
  /** The server's last log lines, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const LOG_LINES = 200;
const live = new Set<ChildProcess>();
const roots = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanup = () => {
    for (const child of live) child.kill('SIGKILL');
    live.clear();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
    roots.clear();
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.kill(process.pid, signal);
    });
  }
}

/** A binary from PATH (then /usr/bin, /usr/sbin), or a ChorusError naming the Debian package. */
export function findBinary(name: 'prometheus' | 'promtool', searchPath = process.env.PATH ?? ''): string {
  const dirs = [...searchPath.split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new ChorusError(
    `${name} was not found on PATH: the metrics tests need a real Prometheus. ` +
      'Install it with `apt-get install prometheus` (Debian/Ubuntu; it brings promtool too).',
  );
}

/** A port free right now (Prometheus cannot report a port it picked itself). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function configYaml(options: PrometheusOptions): string {
  const interval = `${options.intervalSeconds ?? 1}s`;
  const lines = ['global:', `  scrape_interval: ${interval}`, `  evaluation_interval: ${interval}`];
  if (options.ruleFiles?.length) {
    lines.push('rule_files:', ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  }
  lines.push('scrape_configs:');
  for (const job of options.scrape ?? []) {
    lines.push(
      `  - job_name: ${JSON.stringify(job.job)}`,
      `    scrape_timeout: ${interval}`,
      '    static_configs:',
      `      - targets: [${job.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    );
  }
  if (!options.scrape?.length) lines.push('  []');
  return `${lines.join('\n')}\n`;
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<Prometheus> {
  const bin = findBinary('prometheus');
  hookExit();
  const root = await mkdtemp(join(tmpdir(), 'chorus-prometheus-'));
  roots.add(root);
  const configFile = join(root, 'prometheus.yml');
  await writeFile(configFile, configYaml(options));
  const logLines: string[] = [];
  const log = () => logLines.join('\n');
  const timeoutMs = options.startTimeoutMs ?? 20_000;

  const launch = async (port: number) => {
    const child = spawn(
      bin,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(root, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=info',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    live.add(child);
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        resolve();
      }),
    );
    child.stderr?.setEncoding('utf8');
    // Keep draining stderr for the server's whole life: a full pipe would block its logging.
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        logLines.push(line);
        if (logLines.length > LOG_LINES) logLines.shift();
      }
    });
    child.once('error', (err) => logLines.push(`spawn error: ${err.message}`));
    return { child, exited };
  };

  const url = (port: number) => `http://127.0.0.1:${port}`;
  // The free port can be taken between the probe and Prometheus binding it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const { child, exited } = await launch(port);
    let dead = false;
    void exited.then(() => (dead = true));
    const deadline = Date.now() + timeoutMs;
    let ready = false;
    while (!dead && Date.now() < deadline) {
      try {
        const res = await fetch(`${url(port)}/-/ready`);
        await res.arrayBuffer();
        if (res.ok) {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (ready) return handle(port, child, exited);
    child.kill('SIGKILL');
    await exited;
    const inUse = /address already in use/.test(log());
    if (!inUse || attempt >= 3) {
      await rm(root, { recursive: true, force: true });
      roots.delete(root);
      throw new ChorusError(`prometheus did not become ready${dead ? ' (it exited)' : ''}:\n${log()}`);
    }
  }

  function handle(port: number, child: ChildProcess, exited: Promise<void>): Prometheus {
    const queryRaw = async (expr: string): Promise<QueryResponse> => {
      const res = await fetch(`${url(port)}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      return (await res.json()) as QueryResponse;
    };
    const query = async (expr: string): Promise<VectorSample[]> => {
      const answer = await queryRaw(expr);
      if (answer.status !== 'success') throw new ChorusError(`query ${expr} failed: ${answer.error}`);
      if (answer.data.resultType !== 'vector') {
        throw new ChorusError(`query ${expr} returned a ${answer.data.resultType}, not a vector`);
      }
      return answer.data.result as VectorSample[];
    };
    return {
      url: url(port),
      port,
      queryRaw,
      query,
      async waitFor(expr, accept, waitMs = 15_000) {
        const deadline = Date.now() + waitMs;
        for (;;) {
          const last = await query(expr);
          if (accept(last)) return last;
          if (Date.now() > deadline) {
            throw new ChorusError(
              `${expr} did not reach the expected value in ${waitMs} ms; last: ${JSON.stringify(last)}`,
            );
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      log,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(force);
        }
        await rm(root, { recursive: true, force: true });
        roots.delete(root);
      },
    };
  }
}
