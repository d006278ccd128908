import * as grpc from '@grpc/grpc-js';
import { ChorusError, NonRetryableError } from '../../core/errors.ts';
import type {
  JobEvent,
  JobStatus,
  JobSummary,
  LogitArray,
  PutLogitsResult,
  ReportText,
  SubmittedJob,
  UploadFile,
  WorkerInfo,
} from '../api/apiTypes.ts';
import { bearerTokenInterceptor, explainConnectFailure } from '../grpc/authClient.ts';
import { runClientStream } from '../grpc/clientStream.ts';
import { isServiceError, statusToError } from '../grpc/errorStatus.ts';
import {
  jobEventFromWire,
  jobStatusFromWire,
  submittedFromWire,
  summaryFromWire,
  workerFromWire,
} from '../api/fromWire.ts';
import { loadChorusProto } from '../../proto/loadProto.ts';
import { streamLogits } from '../grpc/logitStream.ts';
import { CHUNK_BYTES, messageLimitOptions } from '../grpc/messageLimits.ts';
import { submitChunks } from '../grpc/submitStream.ts';
import type { CancelJobReply__Output } from '../../proto/generated/chorus/v1/CancelJobReply.ts';
import type { CoordinatorClient } from '../../proto/generated/chorus/v1/Coordinator.ts';
import type { DataPlaneClient } from '../../proto/generated/chorus/v1/DataPlane.ts';
import type { JobEvent__Output } from '../../proto/generated/chorus/v1/JobEvent.ts';
import type { JobStatus__Output } from '../../proto/generated/chorus/v1/JobStatus.ts';
import type { ListJobsReply__Output } from '../../proto/generated/chorus/v1/ListJobsReply.ts';
import type { ListWorkersReply__Output } from '../../proto/generated/chorus/v1/ListWorkersReply.ts';
import type { ReportReply__Output } from '../../proto/generated/chorus/v1/ReportReply.ts';
import type { SubmitJobChunk } from '../../proto/generated/chorus/v1/SubmitJobChunk.ts';
import type { SubmitJobReply__Output } from '../../proto/generated/chorus/v1/SubmitJobReply.ts';

/** Statuses of a call refused for its credentials (coordinator/grpc/auth.ts): not a coordinator fault. */
const AUTH_REFUSALS = new Set<grpc.status>([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]);

/** Unary calls that take longer than this fail (the coordinator answers them from memory or KV). */
export const DEFAULT_DEADLINE_MS = 10_000;

export interface ConnectOptions {
  /** Deadline of each unary call (default DEFAULT_DEADLINE_MS). Streams have none: uploads can be long. */
  deadlineMs?: number;
  /** Default: insecure; cluster/grpc/authClient.ts `clientConnectOptions` builds TLS ones. */
  credentials?: grpc.ChannelCredentials;
  /** Bearer token sent with every call (`authorization` metadata). Never logged. */
  token?: string;
  /** Largest message sent or received; must match the coordinator's (default MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
  /** Payload bytes per streamed chunk (default CHUNK_BYTES). */
  chunkBytes?: number;
}

function checkAddress(address: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):\d{1,5}$/.test(address)) {
    throw new NonRetryableError(`the coordinator address must be HOST:PORT, got ${JSON.stringify(address)}`);
  }
  return address;
}

/** What both connections share: the channel, deadlines and error translation. */
abstract class Connection<C extends grpc.Client> {
  protected readonly deadlineMs: number;
  protected readonly chunkBytes: number;
  /** TLS credentials were given (for hints on connection failures). */
  private readonly secure: boolean;

  constructor(
    readonly address: string,
    protected readonly client: C,
    options: ConnectOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    this.secure = options.credentials?._isSecure() ?? false;
  }

  /** A Chorus error for a failed call; "cannot reach the coordinator at HOST:PORT: …" when it is not there. */
  protected toError(err: unknown): Error {
    if (isServiceError(err) && err.code === grpc.status.UNAVAILABLE) {
      err.details = explainConnectFailure(err.details, this.secure);
    }
    if (isServiceError(err) && AUTH_REFUSALS.has(err.code)) {
      return new ChorusError(
        `the coordinator at ${this.address} refused the call: ${err.details} (${grpc.status[err.code]})`,
        { cause: err },
      );
    }
    const connected = this.client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
    return statusToError(err, { address: this.address, connected });
  }

  protected unary<Res>(
    invoke: (options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      invoke({ deadline: Date.now() + this.deadlineMs }, (err, reply) => {
        if (err) reject(this.toError(err));
        else if (reply === undefined) reject(this.toError(new Error('the call ended without a reply')));
        else resolve(reply);
      });
    });
  }

  /** Closes the channel; calls in flight fail with CANCELLED. */
  close(): void {
    this.client.close();
  }
}

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
    options: { fresh?: boolean } = {},
  ): Promise<SubmittedJob> {
    const messages = submitChunks(
      { jobText, fileName, fresh: options.fresh ?? false, files: [...files] },
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

  async cancelJob(jobId: string): Promise<JobSummary> {
    const reply = await this.unary<CancelJobReply__Output>((o, cb) =>
      this.client.CancelJob({ jobId }, o, cb),
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

  /** The report as text; `JSON.parse(json)` gives the `Report` of core/report/report.ts. */
  async getReport(jobId: string): Promise<ReportText> {
    const reply = await this.unary<ReportReply__Output>((o, cb) => this.client.GetReport({ jobId }, o, cb));
    return { json: reply.reportJson, markdown: reply.markdown };
  }
}

/** The worker → coordinator data path. */
export class DataPlaneConnection extends Connection<DataPlaneClient> {
  /** Streams float32 arrays (chunked, in order) in one call; resolves once the coordinator has them all. */
  async putLogits(arrays: LogitArray | readonly LogitArray[]): Promise<PutLogitsResult> {
    try {
      return await streamLogits(this.client, arrays, { chunkBytes: this.chunkBytes });
    } catch (err) {
      throw this.toError(err);
    }
  }
}

function channelOptions(options: ConnectOptions): [grpc.ChannelCredentials, grpc.ClientOptions] {
  return [
    options.credentials ?? grpc.credentials.createInsecure(),
    {
      ...messageLimitOptions(options.maxMessageBytes),
      // An interceptor rather than call credentials: those are refused on plaintext channels.
      ...(options.token !== undefined ? { interceptors: [bearerTokenInterceptor(options.token)] } : {}),
    },
  ];
}

/** A client of the coordinator at HOST:PORT. Connects lazily: an absent coordinator shows on the first call. */
export function connectCoordinator(address: string, options: ConnectOptions = {}): CoordinatorConnection {
  const client = new (loadChorusProto().Coordinator)(checkAddress(address), ...channelOptions(options));
  return new CoordinatorConnection(address, client, options);
}

/** A data-plane client of the coordinator at HOST:PORT (workers stream logits over it). */
export function connectDataPlane(address: string, options: ConnectOptions = {}): DataPlaneConnection {
  const client = new (loadChorusProto().DataPlane)(checkAddress(address), ...channelOptions(options));
  return new DataPlaneConnection(address, client, options);
}
