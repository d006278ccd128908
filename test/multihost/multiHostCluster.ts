import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServer } from '../support/natsServer.ts';
import { CHORUS_BIN, REPO_ROOT } from '../support/chorusProcess.ts';
import { NetnsLab } from './netnsLab.ts';
import { NsProcess } from './nsProcess.ts';

/** Process start-up runs tsx over the sources: slow on a loaded 2-core machine. */
const START_TIMEOUT_MS = 60_000;
const NATS_PORT = 4222;
const GRPC_PORT = 50051;
/** Temporary folders: `chorus-multihost-<pid>-XXXXXX`. */
export const TEMP_PREFIX = 'chorus-multihost-';

export interface MultiHostOptions {
  /** Extra coordinator flags, e.g. `['--ack-wait-ms', '2000']`. */
  coordinatorArgs?: readonly string[];
  /** Names of the worker hosts (one worker process each). */
  workers?: readonly string[];
}

/**
 * Distributed Chorus on several "hosts": nats-server, the coordinator and each worker in a network
 * namespace of its own (a NetnsLab), talking over the lab network only. Clients (`chorus submit`,
 * `status` …) run on the coordinator's host. Every process is a child of the test, killed by pid.
 */
export class MultiHostCluster {
  readonly workers = new Map<string, NsProcess>();
  nats!: NsProcess;
  coordinator!: NsProcess;
  private readonly clients: NsProcess[] = [];

  private constructor(
    readonly lab: NetnsLab,
    readonly dir: string,
  ) {}

  static async start(options: MultiHostOptions = {}): Promise<MultiHostCluster> {
    const workers = options.workers ?? ['w1', 'w2'];
    // The pid in the name lets a later run sweep the folder should this process be killed.
    const dir = await mkdtemp(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
    let lab: NetnsLab;
    try {
      lab = await NetnsLab.create(['nats', 'coord', ...workers]);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    const cluster = new MultiHostCluster(lab, dir);
    try {
      await cluster.startNats();
      await cluster.startCoordinator(options.coordinatorArgs ?? []);
      await Promise.all(workers.map((host) => cluster.startWorker(host)));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get natsUrl(): string {
    return `nats://${this.lab.address('nats')}:${NATS_PORT}`;
  }

  get grpcAddress(): string {
    return `${this.lab.address('coord')}:${GRPC_PORT}`;
  }

  /** Runs a `chorus` command on the coordinator's host and follows it (a long one, e.g. `submit --wait`). */
  chorus(name: string, args: readonly string[]): NsProcess {
    const client = new NsProcess(
      name,
      this.lab.ns('coord'),
      process.execPath,
      [CHORUS_BIN, ...args, '--coordinator', this.grpcAddress],
      { cwd: REPO_ROOT },
    );
    this.clients.push(client);
    return client;
  }

  /** Runs a short `chorus` command on the coordinator's host to its end; returns its output (stdout only). */
  async chorusOutput(args: readonly string[], timeoutMs = 60_000): Promise<string> {
    const client = this.chorus(`chorus ${args[0] ?? ''}`, args);
    const exit = await client.waitForExit(timeoutMs);
    if (exit.code !== 0) throw new Error(`chorus ${args.join(' ')} failed (${exit.code}):\n${client.log()}`);
    return client
      .outputLines()
      .filter((line) => line.startsWith('{') || line.startsWith('['))
      .join('\n');
  }

  /** Writes a job file into the cluster's folder (on the shared filesystem: only the network is split). */
  async jobFile(name: string, text: string): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, text);
    return path;
  }

  /** Every process's output, for failure messages. */
  logs(): string {
    return [this.nats, this.coordinator, ...this.workers.values(), ...this.clients]
      .filter(Boolean)
      .map((p) => `--- ${p.name} in ${p.ns} (pid ${p.pid}) ---\n${p.log()}`)
      .join('\n');
  }

  /** Kills every process (by pid), deletes the namespaces and the files; safe to call twice. */
  async stop(): Promise<void> {
    // For debugging: CHORUS_TEST_LOGS=1 prints every process's output when the test ends.
    if (process.env.CHORUS_TEST_LOGS) process.stderr.write(`${this.logs()}\n`);
    const all = [...this.clients, ...this.workers.values(), this.coordinator, this.nats].filter(Boolean);
    await Promise.all(all.map((p) => p.kill()));
    await this.lab.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async startNats(): Promise<void> {
    const store = join(this.dir, 'nats-store');
    this.nats = new NsProcess('nats-server', this.lab.ns('nats'), findNatsServer(), [
      ...['-js', '-sd', store, '-a', this.lab.address('nats'), '-p', String(NATS_PORT)],
    ]);
    await this.nats.waitForLine(/Server is ready/, START_TIMEOUT_MS);
  }

  private async startCoordinator(extra: readonly string[]): Promise<void> {
    this.coordinator = new NsProcess(
      'coordinator',
      this.lab.ns('coord'),
      process.execPath,
      [
        CHORUS_BIN,
        'coordinator',
        ...['--nats', this.natsUrl, '--grpc', this.grpcAddress, '--metrics-port', '0'],
        ...['--cache', join(this.dir, 'coordinator-cache'), ...extra],
      ],
      { cwd: REPO_ROOT },
    );
    await this.coordinator.waitForLine(/coordinator ready/, START_TIMEOUT_MS);
  }

  private async startWorker(host: string): Promise<void> {
    const worker = new NsProcess(
      `worker ${host}`,
      this.lab.ns(host),
      process.execPath,
      [
        CHORUS_BIN,
        'worker',
        ...['--nats', this.natsUrl, '--coordinator', this.grpcAddress, '--slots', '1'],
        ...['--cache', join(this.dir, `${host}-cache`), '--metrics-port', '0', '--drain-seconds', '5'],
      ],
      { cwd: REPO_ROOT },
    );
    this.workers.set(host, worker);
    await worker.waitForLine(/worker \S+ ready/, START_TIMEOUT_MS);
  }
}
