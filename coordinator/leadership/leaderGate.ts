import type {
  ArtifactInfo,
  JobEvent,
  JobStatus,
  JobSummary,
  LogitArray,
  ReportText,
  SubmitJobRequest,
  SubmittedJob,
  WorkerInfo,
} from '../../cluster/api/apiTypes.ts';
import { NatsUnavailableError, NotLeaderError } from '../../cluster/errors.ts';
import { NATS_UNAVAILABLE } from '../../cluster/grpc/errorStatus.ts';
import type { TokenIdentity } from '../../cluster/grpc/authTokens.ts';
import type { CoordinatorService } from '../distributed/coordinatorService.ts';
import type { CoordinatorHandlers } from '../grpc/coordinatorHandlers.ts';
import type { BusySlotCount } from '../scheduling/slotScheduler.ts';

/**
 * What the gRPC server calls on every coordinator, leader or standby: while this process leads, its
 * CoordinatorService answers; otherwise every call fails with NotLeaderError (UNAVAILABLE, naming the
 * leader when known), so a client never gets an answer from a coordinator that does not run the jobs.
 * A watch open when the term ends fails the same way, and the client re-opens it on the new leader.
 */
export class LeaderGate implements CoordinatorHandlers {
  private current: { service: CoordinatorService; ended: AbortController } | undefined;

  /**
   * `leader`: the leader's address as last read; `held`: the lease is held now (by the monotonic
   * clock: a process resumed after a pause past its lease refuses at once, even a call that reached
   * it before its renewal timer had run).
   */
  constructor(
    private readonly leader: () => string | undefined,
    private readonly held: () => boolean,
    /**
     * Whether NATS is reachable. Every call asks first: a lease that lapses for want of NATS is news of
     * NATS, not of a leader, and answers built from memory (the worker roster) would look current.
     */
    private readonly natsConnected: () => boolean = () => true,
  ) {}

  /** This process leads now, through `service`. */
  open(service: CoordinatorService): void {
    this.current = { service, ended: new AbortController() };
  }

  /** The term is over: refuse new calls and end open watches. */
  close(): void {
    this.current?.ended.abort();
    this.current = undefined;
  }

  /** The service of the current term, or NotLeaderError (every method is async, so callers get a rejection, never a throw). */
  private serving(): CoordinatorService {
    if (!this.natsConnected()) throw new NatsUnavailableError(NATS_UNAVAILABLE);
    if (!this.current || !this.held()) throw new NotLeaderError(this.leader());
    return this.current.service;
  }

  async submitJob(request: SubmitJobRequest, caller?: TokenIdentity): Promise<SubmittedJob> {
    return this.serving().submitJob(request, caller);
  }

  async getJob(jobId: string): Promise<JobStatus> {
    return this.serving().getJob(jobId);
  }

  async watchJob(jobId: string, emit: (event: JobEvent) => void, signal: AbortSignal): Promise<void> {
    const service = this.serving();
    const ended = this.current?.ended.signal;
    const both = ended ? AbortSignal.any([signal, ended]) : signal;
    await service.watchJob(jobId, emit, both);
    if (ended?.aborted && !signal.aborted) throw new NotLeaderError(this.leader());
  }

  async cancelJob(jobId: string): Promise<JobSummary> {
    return this.serving().cancelJob(jobId);
  }

  async listJobs(): Promise<JobSummary[]> {
    return this.serving().listJobs();
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    return this.serving().listWorkers();
  }

  async getReport(jobId: string): Promise<ReportText> {
    return this.serving().getReport(jobId);
  }

  async listArtifacts(jobId: string): Promise<ArtifactInfo[]> {
    return this.serving().listArtifacts(jobId);
  }

  async readArtifact(jobId: string, path: string): Promise<Uint8Array> {
    return this.serving().readArtifact(jobId, path);
  }

  async onLogits(logits: LogitArray): Promise<void> {
    return this.serving().onLogits(logits);
  }

  /** Metrics: the queue depth, when leading (a standby reports none). */
  async queuedTasks(): Promise<number> {
    return this.serving().queuedTasks();
  }

  /** Slots running this leader's tasks by priority and client; none while standing by (the leader reports them). */
  busySlots(): BusySlotCount[] {
    return this.current && this.held() ? this.current.service.busySlots() : [];
  }
}
