import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectCoordinator, type CoordinatorConnection } from '../cluster/client/coordinatorConnection.ts';
import type { ResultMessage } from '../cluster/messages/resultMessage.ts';
import type { NatsResources } from '../cluster/nats/natsResources.ts';
import type { JobRecord } from '../cluster/state/jobRecord.ts';
import { KvJobStore } from '../coordinator/nats/kvJobStore.ts';
import { openResources } from '../cluster/nats/openResources.ts';
import { startNatsCluster } from '../test/support/natsCluster.ts';
import { startNatsServer, type NatsServer } from '../test/support/natsServer.ts';
import { ChorusProcess } from '../test/support/chorusProcess.ts';

/** Process start-up runs tsx over the sources: slow on a loaded 2-core machine. */
const START_TIMEOUT_MS = 120_000;

/**
 * A real distributed Chorus for the load benchmark: nats-server (JetStream, temporary store, a port
 * it picks), one coordinator and worker processes (`node cli/bin.mjs …`, one slot each). The bench
 * watches it through NATS directly (job records in KV, stream depths), so that watching does not load
 * the coordinator whose event loop is being measured. `stop` ends every process by its pid.
 */
export class LoadCluster {
  workers: ChorusProcess[] = [];
  private workerCount = 0;
  private client: CoordinatorConnection | undefined;

  private constructor(
    /** One nats-server, or three clustered (CHORUS_BENCH_NATS_NODES=3: every stream in three copies). */
    readonly natsServers: readonly NatsServer[],
    readonly dir: string,
    readonly coordinator: ChorusProcess,
    readonly grpcAddress: string,
    readonly metricsUrl: string,
    private readonly nc: NatsConnection,
    readonly resources: NatsResources,
  ) {}

  static async start(): Promise<LoadCluster> {
    const dir = await mkdtemp(path.join(tmpdir(), 'chorus-bench-load-'));
    const nodes = Number(process.env.CHORUS_BENCH_NATS_NODES ?? 1);
    const natsServers = nodes > 1 ? (await startNatsCluster(nodes)).servers : [await startNatsServer()];
    const natsUrl = natsServers.map((s) => s.url).join(',');
    let coordinator: ChorusProcess | undefined;
    try {
      coordinator = chorusDaemon('coordinator', [
        'coordinator',
        ...['--nats', natsUrl, '--grpc', '127.0.0.1:0', '--metrics-port', '0'],
        ...(nodes > 1 ? ['--replicas', String(nodes)] : []),
        ...['--cache', path.join(dir, 'coordinator-cache')],
      ]);
      const ready = await coordinator.waitForLine(/coordinator ready: gRPC ([^\s,]+)/, START_TIMEOUT_MS);
      const metrics = await coordinator.waitForLine(/metrics on port (\d+)/, START_TIMEOUT_MS);
      const nc = await connect({ servers: natsServers.map((s) => s.url) });
      const resources = await openResources(nc);
      return new LoadCluster(
        natsServers,
        dir,
        coordinator,
        ready[1] ?? '',
        `http://127.0.0.1:${metrics[1]}/metrics`,
        nc,
        resources,
      );
    } catch (err) {
      await coordinator?.stop(2_000);
      await Promise.all(natsServers.map((s) => s.stop()));
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Starts `n` workers (one slot each) at once and waits until every one has logged ready. */
  async startWorkers(n: number): Promise<void> {
    const started = Array.from({ length: n }, () => {
      const k = ++this.workerCount;
      return chorusDaemon(`worker-${k}`, [
        'worker',
        ...[
          '--nats',
          this.natsServers.map((s) => s.url).join(','),
          '--coordinator',
          this.grpcAddress,
          '--slots',
          '1',
        ],
        ...[
          '--cache',
          path.join(this.dir, `worker-${k}-cache`),
          '--metrics-port',
          '0',
          '--drain-seconds',
          '5',
        ],
      ]);
    });
    this.workers.push(...started);
    await Promise.all(started.map((w) => w.waitForLine(/worker \S+ ready/, START_TIMEOUT_MS)));
  }

  /** SIGTERM every worker (an idle one drains at once), SIGKILL after a grace period. */
  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(10_000)));
    this.workers = [];
  }

  api(): CoordinatorConnection {
    this.client ??= connectCoordinator(this.grpcAddress, { deadlineMs: 60_000 });
    return this.client;
  }

  /** A job's record, read from KV without asking the coordinator. */
  jobRecord(jobId: string): Promise<JobRecord | undefined> {
    return new KvJobStore(this.resources.state, this.resources.names).getJob(jobId);
  }

  /** Polls KV until none of `jobIds` is running; false when `timeoutMs` passed first. */
  async waitForJobs(jobIds: readonly string[], timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const open = new Set(jobIds);
    while (open.size > 0) {
      if (performance.now() > deadline) return false;
      for (const id of [...open]) {
        const r = await this.jobRecord(id);
        if (r && r.status !== 'running') open.delete(id);
      }
      if (open.size > 0) await new Promise((r) => setTimeout(r, 500));
    }
    return true;
  }

  /** How many messages the result stream holds. */
  async resultCount(): Promise<number> {
    const { jsm, names } = this.resources;
    return (await jsm.streams.info(names.resultStream)).state.messages;
  }

  /** Every message on the result stream (results are kept: limits retention). */
  async resultMessages(): Promise<ResultMessage[]> {
    const { jsm, names } = this.resources;
    const info = await jsm.streams.info(names.resultStream);
    const out: ResultMessage[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const msg = await jsm.streams.getMessage(names.resultStream, { seq }).catch(() => null);
      if (msg) out.push(msg.json<ResultMessage>());
    }
    return out;
  }

  /** Ends every process this cluster started (by pid), nats-server included, and removes its files. */
  async stop(): Promise<void> {
    this.client?.close();
    await this.nc.close().catch(() => undefined);
    await Promise.all([...this.workers.map((w) => w.stop(5_000)), this.coordinator.stop(10_000)]);
    this.workers = [];
    await Promise.all(this.natsServers.map((s) => s.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A long-running `chorus coordinator` or `chorus worker`. Every output line is kept (the load
 * benchmark reads the workers' whole task log: each line starts with the ISO time the process wrote it).
 * CHORUS_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the coordinator there, to find what stalls it.
 */
function chorusDaemon(name: string, args: readonly string[]): ChorusProcess {
  const profileDir = name === 'coordinator' ? process.env.CHORUS_BENCH_CPU_PROF : undefined;
  return new ChorusProcess(name, args, {
    logLines: Number.POSITIVE_INFINITY,
    ...(profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
  });
}
