import type { TokenIdentity } from '../../cluster/grpc/authTokens.ts';
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

/**
 * What the coordinator's logic implements for the gRPC server: one method per RPC, plain objects in
 * and out, no gRPC types. Throw `JobSpecError`/`NonRetryableError` for bad requests (the client sees
 * INVALID_ARGUMENT with the message), `NotFoundError` for unknown jobs (NOT_FOUND); anything else is
 * reported as INTERNAL.
 */
export interface CoordinatorHandlers {
  /**
   * Files arrive whole and checked against their declared sizes. `caller`: the token the call was
   * let through with (absent without authentication); its name and quota go with the job.
   */
  submitJob(request: SubmitJobRequest, caller?: TokenIdentity): Promise<SubmittedJob>;
  getJob(jobId: string): Promise<JobStatus>;
  /**
   * Calls `emit` for each event of the job until it ends, then resolves (the stream then ends). Stop
   * early, and resolve, when `signal` aborts (the client went away or the server is closing).
   */
  watchJob(jobId: string, emit: (event: JobEvent) => void, signal: AbortSignal): Promise<void>;
  /** Returns the job after the request; a job that already ended keeps its state. */
  cancelJob(jobId: string): Promise<JobSummary>;
  /** Newest submission first. */
  listJobs(): Promise<JobSummary[]>;
  listWorkers(): Promise<WorkerInfo[]>;
  getReport(jobId: string): Promise<ReportText>;
  /**
   * A done job's files for `chorus fetch` (report.json, report.md, report.html, every model), in path
   * order. Throw `NotFoundError` for an unknown job, `JobNotDoneError` for one that is not done.
   */
  listArtifacts(jobId: string): Promise<ArtifactInfo[]>;
  /** The bytes of one of the files `listArtifacts` lists (`NotFoundError` for any other path). */
  readArtifact(jobId: string, path: string): Promise<Uint8Array>;
  /**
   * A float32 array from a worker, reassembled and checked (shape, size). Called as each array of a
   * PutLogits stream completes; the worker's call succeeds only once every call has resolved.
   * `logits.values` is lent: once the returned promise resolves, the server reuses its memory for a
   * later array, so copy what must outlive the call.
   */
  onLogits(logits: LogitArray): Promise<void>;
}
