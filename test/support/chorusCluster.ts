import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  connectCoordinator,
  type CoordinatorConnection,
} from '../../cluster/client/coordinatorConnection.ts';
import type { JobEvent, JobStatus } from '../../cluster/api/apiTypes.ts';
import type { Priority } from '../../core/spec/priority.ts';
import { ChorusProcess, runChorus, type ChorusExit } from './chorusProcess.ts';
import { startNatsCluster } from './natsCluster.ts';
import { startNatsServer, type NatsServer } from './natsServer.ts';

/** Process start-up runs tsx over the sources: slow on a loaded 2-core machine. */
const START_TIMEOUT_MS = 60_000;
/** Output lines kept per process, for assertions and failure messages. */
const LOG_LINES = 400;

export interface ClusterOptions {
  workers?: number;
  /** Extra coordinator flags, e.g. `['--ack-wait-ms', '2000']`. */
  coordinatorArgs?: readonly string[];
  /** Bearer token of the test's own gRPC client (`api()`), when the coordinator requires one. */
  clientToken?: string;
  /** Environment of the worker processes (e.g. CHORUS_FAULTS). */
  workerEnv?: Readonly<Record<string, string>>;
  /** Extra worker flags, after the defaults (a repeated flag wins), e.g. `['--slots', '2']` or `['--token-file', f]`. */
  workerArgs?: readonly string[];
  /** nats-servers clustered on loopback (default 1: a single server). */
  natsNodes?: number;
  /** Coordinators: the first leads, the others stand by (default 1). Clients and workers get every address. */
  coordinators?: number;
}

/**
 * A real distributed Chorus for one test: nats-server (JetStream, file store, random port), a
 * coordinator (gRPC on a port it picks) and workers (one slot each), all child processes of the
 * test, under a prefix of their own. Everything is killed by pid and removed when the test ends.
 */
export class Cluster {
  readonly workers: ChorusProcess[] = [];
  readonly prefix = `t${randomBytes(4).toString('hex')}`;
  coordinator!: ChorusProcess;
  /** Coordinators started standing by (`coordinators` > 1), with their gRPC addresses. */
  readonly standbys: { process: ChorusProcess; address: string }[] = [];
  /** `127.0.0.1:<port>`, fixed at the first start so that a restarted coordinator keeps it. */
  grpcAddress = '';
  private readonly retired: ChorusProcess[] = [];
  private client: CoordinatorConnection | undefined;
  private workerCount = 0;

  private constructor(
    /** Every nats-server; processes get all their URLs. */
    readonly natsServers: readonly NatsServer[],
    readonly dir: string,
    private readonly options: ClusterOptions,
  ) {}

  static async start(t: TestContext, options: ClusterOptions = {}): Promise<Cluster> {
    const dir = await mkdtemp(join(tmpdir(), 'chorus-dist-'));
    const nodes = options.natsNodes ?? 1;
    const servers = nodes > 1 ? (await startNatsCluster(nodes)).servers : [await startNatsServer()];
    const cluster = new Cluster(servers, dir, options);
    t.after(() => cluster.stop());
    await cluster.startCoordinator();
    for (let i = 1; i < (options.coordinators ?? 1); i++) await cluster.startStandby();
    await Promise.all(Array.from({ length: options.workers ?? 2 }, () => cluster.startWorker()));
    return cluster;
  }

  /** The first (or only) nats-server. */
  get nats(): NatsServer {
    const first = this.natsServers[0];
    if (!first) throw new Error('no nats-server');
    return first;
  }

  get natsUrl(): string {
    return this.natsServers.map((s) => s.url).join(',');
  }

  async startCoordinator(): Promise<ChorusProcess> {
    const grpc = this.grpcAddress || '127.0.0.1:0';
    const coordinator = new ChorusProcess(
      'coordinator',
      [
        'coordinator',
        ...['--nats', this.natsUrl, '--nats-prefix', this.prefix, '--grpc', grpc],
        ...['--cache', join(this.dir, 'coordinator-cache'), '--metrics-port', '0'],
        ...(this.options.coordinatorArgs ?? []),
      ],
      { logLines: LOG_LINES },
    );
    if (this.coordinator) this.retired.push(this.coordinator);
    this.coordinator = coordinator;
    const ready = await coordinator.waitForLine(/coordinator ready: gRPC ([^\s,]+)/, START_TIMEOUT_MS);
    this.grpcAddress ||= ready[1] ?? '';
    return coordinator;
  }

  /** A coordinator that stands by (the lease is held): resolves once it serves gRPC and waits for the lease. */
  async startStandby(): Promise<ChorusProcess> {
    const n = this.standbys.length + 1;
    const standby = new ChorusProcess(
      `coordinator-standby-${n}`,
      [
        'coordinator',
        ...['--nats', this.natsUrl, '--nats-prefix', this.prefix, '--grpc', '127.0.0.1:0'],
        ...['--cache', join(this.dir, `standby-${n}-cache`), '--metrics-port', '0'],
        ...(this.options.coordinatorArgs ?? []),
      ],
      { logLines: LOG_LINES },
    );
    const line = await standby.waitForLine(/gRPC on ([^\s]+) \(advertised/, START_TIMEOUT_MS);
    this.standbys.push({ process: standby, address: line[1] ?? '' });
    return standby;
  }

  /** Every coordinator's address, the first one's first: what clients and workers are given. */
  get coordinatorAddresses(): string {
    return [this.grpcAddress, ...this.standbys.map((s) => s.address)].join(',');
  }

  async startWorker(): Promise<ChorusProcess> {
    const n = ++this.workerCount;
    const worker = new ChorusProcess(
      `worker-${n}`,
      [
        'worker',
        ...['--nats', this.natsUrl, '--nats-prefix', this.prefix, '--coordinator', this.coordinatorAddresses],
        ...['--slots', '1', '--cache', join(this.dir, `worker-${n}-cache`), '--drain-seconds', '5'],
        ...['--metrics-port', '0'],
        ...(this.options.workerArgs ?? []),
      ],
      { env: this.options.workerEnv ?? {}, logLines: LOG_LINES },
    );
    this.workers.push(worker);
    await worker.waitForLine(/worker \S+ ready/, START_TIMEOUT_MS);
    return worker;
  }

  /** An in-process gRPC client for polling (cheaper than a CLI process per look). */
  api(): CoordinatorConnection {
    const token = this.options.clientToken;
    this.client ??= connectCoordinator(this.coordinatorAddresses, {
      deadlineMs: 15_000,
      ...(token ? { token } : {}),
    });
    return this.client;
  }

  /** Runs the real `chorus` CLI against this cluster's coordinator. */
  cli(t: TestContext, args: readonly string[], timeoutMs = 60_000): Promise<ChorusExit> {
    return runChorus([...args, '--coordinator', this.coordinatorAddresses], { t, timeoutMs });
  }

  /** Writes a job file into the cluster's folder. */
  async jobFile(name: string, text: string): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, text);
    return path;
  }

  /**
   * Submits a job file (no data files: synthetic data) through the gRPC API `chorus submit` uses,
   * from this process: a CLI process per job would cost seconds of start-up. Returns the job id.
   */
  async submit(file: string, options: { priority?: Priority } = {}): Promise<string> {
    const text = await readFile(file, 'utf8');
    return (await this.api().submitJob(text, basename(file), [], { fresh: true, ...options })).jobId;
  }

  /** `chorus status JOB --json`, parsed. */
  async status(t: TestContext, jobId: string): Promise<JobStatus> {
    const exit = await this.cli(t, ['status', jobId, '--json']);
    if (exit.code !== 0) throw new Error(`chorus status failed (${exit.code}):\n${exit.stderr}`);
    return JSON.parse(exit.stdout) as JobStatus;
  }

  /**
   * Polls the job (through gRPC) until `check` holds. Errors while the coordinator is down or
   * restarting count as "not yet".
   */
  async waitForJob(
    jobId: string,
    check: (status: JobStatus) => boolean,
    what: string,
    timeoutMs = 120_000,
  ): Promise<JobStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: JobStatus | undefined;
    let lastError = '';
    while (Date.now() < deadline) {
      try {
        last = await this.api().getJob(jobId);
        if (check(last)) return last;
      } catch (err) {
        lastError = String(err);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${what}; last status ${JSON.stringify(last)} ${lastError}\n${this.logs()}`,
    );
  }

  /** Until the job leaves `running`. */
  waitForEnd(jobId: string, timeoutMs = 120_000): Promise<JobStatus> {
    return this.waitForJob(
      jobId,
      (s) => s.state !== 'running' && s.state !== 'queued',
      'the job to end',
      timeoutMs,
    );
  }

  /** Follows the job's event stream until an event matches; rejects on timeout or when the stream ends. */
  async waitForEvent(
    jobId: string,
    match: (event: JobEvent['event']) => boolean,
    what: string,
    timeoutMs = 120_000,
  ): Promise<JobEvent['event']> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      for await (const { event } of this.api().watchJob(jobId, { signal: controller.signal })) {
        if (match(event)) return event;
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    throw new Error(`no event for ${what} within ${timeoutMs} ms (or the stream ended)\n${this.logs()}`);
  }

  /** The worker that logged starting this delivery of a task. */
  workerRunning(taskId: string, delivery: number): ChorusProcess | undefined {
    const re = new RegExp(`${escape(taskId)}: delivery ${delivery} started`);
    return this.workers.find((w) => w.running && re.test(w.log()));
  }

  /** A NATS connection of the test's own (e.g. to read KV or forge messages). */
  async natsConnection(t: TestContext): Promise<NatsConnection> {
    const nc = await connect({ servers: this.natsServers.map((s) => s.url) });
    t.after(() => nc.close());
    return nc;
  }

  /** Every process's log, for failure messages. */
  logs(): string {
    return [...this.retired, this.coordinator, ...this.standbys.map((s) => s.process), ...this.workers]
      .filter(Boolean)
      .map((p) => `--- ${p.name} (pid ${p.pid}) ---\n${p.log()}`)
      .join('\n');
  }

  /** Kills every process this cluster started (by pid), stops nats-server, removes the files. */
  async stop(): Promise<void> {
    // For debugging: CHORUS_TEST_LOGS=1 prints every process's log when the test ends.
    if (process.env.CHORUS_TEST_LOGS) process.stderr.write(`${this.logs()}\n`);
    if (process.env.CHORUS_TEST_NATS_LOGS)
      for (const s of this.natsServers) process.stderr.write(`--- nats ${s.url}\n${s.log()}\n`);
    this.client?.close();
    const all = [
      ...this.retired,
      this.coordinator,
      ...this.standbys.map((s) => s.process),
      ...this.workers,
    ].filter(Boolean);
    await Promise.all(all.map((p) => p.kill()));
    await Promise.all(this.natsServers.map((s) => s.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
