import * as grpc from '@grpc/grpc-js';
import type { Priority } from '../../core/spec/priority.ts';
import type {
  ArtifactInfo,
  JobEvent,
  JobStatus,
  JobSummary,
  ReportText,
  SubmittedJob,
  UploadFile,
  WorkerInfo,
} from '../api/apiTypes.ts';
import {
  jobEventFromWire,
  jobStatusFromWire,
  submittedFromWire,
  summaryFromWire,
  workerFromWire,
} from '../api/fromWire.ts';
import { artifactPieceFromWire, type ArtifactPiece } from '../grpc/artifactStream.ts';
import { runClientStream } from '../grpc/clientStream.ts';
import { isServiceError } from '../grpc/errorStatus.ts';
import { submitChunks } from '../grpc/submitStream.ts';
import { loadChorusProto } from '../../proto/loadProto.ts';
import type { ArtifactChunk__Output } from '../../proto/generated/chorus/v1/ArtifactChunk.ts';
import type { CancelJobReply__Output } from '../../proto/generated/chorus/v1/CancelJobReply.ts';
import type { CoordinatorClient } from '../../proto/generated/chorus/v1/Coordinator.ts';
import type { JobEvent__Output } from '../../proto/generated/chorus/v1/JobEvent.ts';
import type { JobStatus__Output } from '../../proto/generated/chorus/v1/JobStatus.ts';
import type { ListJobsReply__Output } from '../../proto/generated/chorus/v1/ListJobsReply.ts';
import type { ListWorkersReply__Output } from '../../proto/generated/chorus/v1/ListWorkersReply.ts';
import type { ReportReply__Output } from '../../proto/generated/chorus/v1/ReportReply.ts';
import type { SubmitJobChunk } from '../../proto/generated/chorus/v1/SubmitJobChunk.ts';
import type { SubmitJobReply__Output } from '../../proto/generated/chorus/v1/SubmitJobReply.ts';
import { channelOptions, checkAddress, Connection, type ConnectOptions } from './connection.ts';
import { coordinatorAddresses, followLeader } from './leaderFollowing.ts';

/** CancelJob answers once the job's run has stopped: on a busy coordinator that outlasts a plain call's deadline. */
const CANCEL_DEADLINE_MS = 60_000;

/** The coordinator API with promises and plain objects (see cluster/api/apiTypes.ts). */
export class CoordinatorConnection extends Connection<CoordinatorClient> {
  /**
   * Submits a job file and the local data files it names (`path` as the job file writes it), streamed
   * in chunks. Bad job files come back as the same JobSpecError `chorus run` would throw.
   */
  async submitJob(
    jobText: string,
    fileName: string,
    files: readonly UploadFile[],
    options: { fresh?: boolean; priority?: Priority } = {},
  ): Promise<SubmittedJob> {
    const messages = submitChunks(
      {
        jobText,
        fileName,
        fresh: options.fresh ?? false,
        files: [...files],
        ...(options.priority ? { priority: options.priority } : {}),
      },
      this.chunkBytes,
    );
    try {
      const reply = await runClientStream<SubmitJobChunk, SubmitJobReply__Output>(
        (callback) => this.client.SubmitJob(callback),
        messages,
      );
      return submittedFromWire(reply);
    } catch (err) {
      throw this.toError(err);
    }
  }

  async getJob(jobId: string): Promise<JobStatus> {
    return jobStatusFromWire(
      await this.unary<JobStatus__Output>((o, cb) => this.client.GetJob({ jobId }, o, cb)),
    );
  }

  /**
   * The job's events until it ends. Breaking out of the loop, or aborting `signal`, cancels the stream
   * (the iteration then just stops).
   */
  async *watchJob(jobId: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<JobEvent> {
    const { signal } = options;
    const call = this.client.WatchJob({ jobId });
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const message of call as AsyncIterable<JobEvent__Output>) yield jobEventFromWire(message);
    } catch (err) {
      if (signal?.aborted && isServiceError(err) && err.code === grpc.status.CANCELLED) return;
      throw this.toError(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  /** Returns once the job has stopped (its running tasks told to stop), which can take a while. */
  async cancelJob(jobId: string): Promise<JobSummary> {
    const reply = await this.unary<CancelJobReply__Output>(
      (o, cb) => this.client.CancelJob({ jobId }, o, cb),
      CANCEL_DEADLINE_MS,
    );
    return summaryFromWire(reply.job);
  }

  async listJobs(): Promise<JobSummary[]> {
    const reply = await this.unary<ListJobsReply__Output>((o, cb) => this.client.ListJobs({}, o, cb));
    return reply.jobs.map(summaryFromWire);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    const reply = await this.unary<ListWorkersReply__Output>((o, cb) => this.client.ListWorkers({}, o, cb));
    return reply.workers.map(workerFromWire);
  }

  /** A done job's files (report.json, report.md, report.html, every model) with sizes and SHA-256s. */
  async listArtifacts(jobId: string): Promise<ArtifactInfo[]> {
    const files: ArtifactInfo[] = [];
    for await (const piece of this.getArtifacts(jobId, { listOnly: true })) {
      if (piece.type === 'file') files.push(piece.file);
    }
    return files;
  }

  /**
   * A done job's files (`paths`, or all): for each, its description, then its bytes in pieces, in
   * order. Paths are checked to stay inside a folder they are joined to. Breaking out of the loop, or
   * aborting `signal`, cancels the stream. An unknown job is a NotFoundError, one that is not done a
   * JobNotDoneError.
   */
  async *getArtifacts(
    jobId: string,
    options: { paths?: readonly string[]; listOnly?: boolean; signal?: AbortSignal } = {},
  ): AsyncGenerator<ArtifactPiece> {
    const { signal } = options;
    const call = this.client.GetArtifacts({
      jobId,
      listOnly: options.listOnly ?? false,
      paths: [...(options.paths ?? [])],
    });
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const message of call as AsyncIterable<ArtifactChunk__Output>) {
        yield artifactPieceFromWire(message);
      }
    } catch (err) {
      if (signal?.aborted && isServiceError(err) && err.code === grpc.status.CANCELLED) return;
      throw isServiceError(err) ? this.toError(err) : err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  /** The report as text; `JSON.parse(json)` gives the `Report` of core/report/report.ts. */
  async getReport(jobId: string): Promise<ReportText> {
    const reply = await this.unary<ReportReply__Output>((o, cb) => this.client.GetReport({ jobId }, o, cb));
    return { json: reply.reportJson, markdown: reply.markdown };
  }
}

/**
 * A client of the coordinator at HOST:PORT, or of several (`a:1,b:2`: a leader and standbys, followed
 * by leaderFollowing.ts). Connects lazily: an absent coordinator shows on the first call.
 */
export function connectCoordinator(address: string, options: ConnectOptions = {}): CoordinatorConnection {
  const addresses = coordinatorAddresses(address);
  if (addresses.length > 1) {
    return followLeader(addresses, (a) => connectCoordinator(a, options), ['watchJob', 'getArtifacts']);
  }
  const client = new (loadChorusProto().Coordinator)(checkAddress(address), ...channelOptions(options));
  return new CoordinatorConnection(address, client, options);
}
