// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  ArtifactChunk as _chorus_v1_ArtifactChunk,
  ArtifactChunk__Output as _chorus_v1_ArtifactChunk__Output,
} from '../../chorus/v1/ArtifactChunk.ts';
import type {
  CancelJobReply as _chorus_v1_CancelJobReply,
  CancelJobReply__Output as _chorus_v1_CancelJobReply__Output,
} from '../../chorus/v1/CancelJobReply.ts';
import type {
  CancelJobRequest as _chorus_v1_CancelJobRequest,
  CancelJobRequest__Output as _chorus_v1_CancelJobRequest__Output,
} from '../../chorus/v1/CancelJobRequest.ts';
import type {
  GetArtifactsRequest as _chorus_v1_GetArtifactsRequest,
  GetArtifactsRequest__Output as _chorus_v1_GetArtifactsRequest__Output,
} from '../../chorus/v1/GetArtifactsRequest.ts';
import type {
  GetJobRequest as _chorus_v1_GetJobRequest,
  GetJobRequest__Output as _chorus_v1_GetJobRequest__Output,
} from '../../chorus/v1/GetJobRequest.ts';
import type {
  GetReportRequest as _chorus_v1_GetReportRequest,
  GetReportRequest__Output as _chorus_v1_GetReportRequest__Output,
} from '../../chorus/v1/GetReportRequest.ts';
import type {
  JobEvent as _chorus_v1_JobEvent,
  JobEvent__Output as _chorus_v1_JobEvent__Output,
} from '../../chorus/v1/JobEvent.ts';
import type {
  JobStatus as _chorus_v1_JobStatus,
  JobStatus__Output as _chorus_v1_JobStatus__Output,
} from '../../chorus/v1/JobStatus.ts';
import type {
  ListJobsReply as _chorus_v1_ListJobsReply,
  ListJobsReply__Output as _chorus_v1_ListJobsReply__Output,
} from '../../chorus/v1/ListJobsReply.ts';
import type {
  ListJobsRequest as _chorus_v1_ListJobsRequest,
  ListJobsRequest__Output as _chorus_v1_ListJobsRequest__Output,
} from '../../chorus/v1/ListJobsRequest.ts';
import type {
  ListWorkersReply as _chorus_v1_ListWorkersReply,
  ListWorkersReply__Output as _chorus_v1_ListWorkersReply__Output,
} from '../../chorus/v1/ListWorkersReply.ts';
import type {
  ListWorkersRequest as _chorus_v1_ListWorkersRequest,
  ListWorkersRequest__Output as _chorus_v1_ListWorkersRequest__Output,
} from '../../chorus/v1/ListWorkersRequest.ts';
import type {
  ReportReply as _chorus_v1_ReportReply,
  ReportReply__Output as _chorus_v1_ReportReply__Output,
} from '../../chorus/v1/ReportReply.ts';
import type {
  SubmitJobChunk as _chorus_v1_SubmitJobChunk,
  SubmitJobChunk__Output as _chorus_v1_SubmitJobChunk__Output,
} from '../../chorus/v1/SubmitJobChunk.ts';
import type {
  SubmitJobReply as _chorus_v1_SubmitJobReply,
  SubmitJobReply__Output as _chorus_v1_SubmitJobReply__Output,
} from '../../chorus/v1/SubmitJobReply.ts';
import type {
  WatchJobRequest as _chorus_v1_WatchJobRequest,
  WatchJobRequest__Output as _chorus_v1_WatchJobRequest__Output,
} from '../../chorus/v1/WatchJobRequest.ts';

/**
 * The API that clients call to run and follow jobs.
 */
export interface CoordinatorClient extends grpc.Client {
  /**
   * Stops a job: running tasks are cancelled and saved as pending, so it can be resumed later.
   */
  CancelJob(
    argument: _chorus_v1_CancelJobRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_CancelJobReply__Output>,
  ): grpc.ClientUnaryCall;
  CancelJob(
    argument: _chorus_v1_CancelJobRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_CancelJobReply__Output>,
  ): grpc.ClientUnaryCall;
  CancelJob(
    argument: _chorus_v1_CancelJobRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_CancelJobReply__Output>,
  ): grpc.ClientUnaryCall;
  CancelJob(
    argument: _chorus_v1_CancelJobRequest,
    callback: grpc.requestCallback<_chorus_v1_CancelJobReply__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Stops a job: running tasks are cancelled and saved as pending, so it can be resumed later.
   */
  cancelJob(
    argument: _chorus_v1_CancelJobRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_CancelJobReply__Output>,
  ): grpc.ClientUnaryCall;
  cancelJob(
    argument: _chorus_v1_CancelJobRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_CancelJobReply__Output>,
  ): grpc.ClientUnaryCall;
  cancelJob(
    argument: _chorus_v1_CancelJobRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_CancelJobReply__Output>,
  ): grpc.ClientUnaryCall;
  cancelJob(
    argument: _chorus_v1_CancelJobRequest,
    callback: grpc.requestCallback<_chorus_v1_CancelJobReply__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * A done job's files (report.json, report.md, report.html and every model): each file's
   * ArtifactFile, then, unless `list_only`, its bytes in FileChunks. Unknown job: NOT_FOUND; a job
   * that is not done: FAILED_PRECONDITION.
   */
  GetArtifacts(
    argument: _chorus_v1_GetArtifactsRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_chorus_v1_ArtifactChunk__Output>;
  GetArtifacts(
    argument: _chorus_v1_GetArtifactsRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_chorus_v1_ArtifactChunk__Output>;
  /**
   * A done job's files (report.json, report.md, report.html and every model): each file's
   * ArtifactFile, then, unless `list_only`, its bytes in FileChunks. Unknown job: NOT_FOUND; a job
   * that is not done: FAILED_PRECONDITION.
   */
  getArtifacts(
    argument: _chorus_v1_GetArtifactsRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_chorus_v1_ArtifactChunk__Output>;
  getArtifacts(
    argument: _chorus_v1_GetArtifactsRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_chorus_v1_ArtifactChunk__Output>;

  /**
   * The job's state and every task's state.
   */
  GetJob(
    argument: _chorus_v1_GetJobRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_JobStatus__Output>,
  ): grpc.ClientUnaryCall;
  GetJob(
    argument: _chorus_v1_GetJobRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_JobStatus__Output>,
  ): grpc.ClientUnaryCall;
  GetJob(
    argument: _chorus_v1_GetJobRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_JobStatus__Output>,
  ): grpc.ClientUnaryCall;
  GetJob(
    argument: _chorus_v1_GetJobRequest,
    callback: grpc.requestCallback<_chorus_v1_JobStatus__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The job's state and every task's state.
   */
  getJob(
    argument: _chorus_v1_GetJobRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_JobStatus__Output>,
  ): grpc.ClientUnaryCall;
  getJob(
    argument: _chorus_v1_GetJobRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_JobStatus__Output>,
  ): grpc.ClientUnaryCall;
  getJob(
    argument: _chorus_v1_GetJobRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_JobStatus__Output>,
  ): grpc.ClientUnaryCall;
  getJob(
    argument: _chorus_v1_GetJobRequest,
    callback: grpc.requestCallback<_chorus_v1_JobStatus__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * A finished job's report.
   */
  GetReport(
    argument: _chorus_v1_GetReportRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ReportReply__Output>,
  ): grpc.ClientUnaryCall;
  GetReport(
    argument: _chorus_v1_GetReportRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_ReportReply__Output>,
  ): grpc.ClientUnaryCall;
  GetReport(
    argument: _chorus_v1_GetReportRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ReportReply__Output>,
  ): grpc.ClientUnaryCall;
  GetReport(
    argument: _chorus_v1_GetReportRequest,
    callback: grpc.requestCallback<_chorus_v1_ReportReply__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * A finished job's report.
   */
  getReport(
    argument: _chorus_v1_GetReportRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ReportReply__Output>,
  ): grpc.ClientUnaryCall;
  getReport(
    argument: _chorus_v1_GetReportRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_ReportReply__Output>,
  ): grpc.ClientUnaryCall;
  getReport(
    argument: _chorus_v1_GetReportRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ReportReply__Output>,
  ): grpc.ClientUnaryCall;
  getReport(
    argument: _chorus_v1_GetReportRequest,
    callback: grpc.requestCallback<_chorus_v1_ReportReply__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Every job the coordinator knows, without per-task detail.
   */
  ListJobs(
    argument: _chorus_v1_ListJobsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ListJobsReply__Output>,
  ): grpc.ClientUnaryCall;
  ListJobs(
    argument: _chorus_v1_ListJobsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_ListJobsReply__Output>,
  ): grpc.ClientUnaryCall;
  ListJobs(
    argument: _chorus_v1_ListJobsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ListJobsReply__Output>,
  ): grpc.ClientUnaryCall;
  ListJobs(
    argument: _chorus_v1_ListJobsRequest,
    callback: grpc.requestCallback<_chorus_v1_ListJobsReply__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Every job the coordinator knows, without per-task detail.
   */
  listJobs(
    argument: _chorus_v1_ListJobsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ListJobsReply__Output>,
  ): grpc.ClientUnaryCall;
  listJobs(
    argument: _chorus_v1_ListJobsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_ListJobsReply__Output>,
  ): grpc.ClientUnaryCall;
  listJobs(
    argument: _chorus_v1_ListJobsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ListJobsReply__Output>,
  ): grpc.ClientUnaryCall;
  listJobs(
    argument: _chorus_v1_ListJobsRequest,
    callback: grpc.requestCallback<_chorus_v1_ListJobsReply__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * The workers that reported in recently.
   */
  ListWorkers(
    argument: _chorus_v1_ListWorkersRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ListWorkersReply__Output>,
  ): grpc.ClientUnaryCall;
  ListWorkers(
    argument: _chorus_v1_ListWorkersRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_ListWorkersReply__Output>,
  ): grpc.ClientUnaryCall;
  ListWorkers(
    argument: _chorus_v1_ListWorkersRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ListWorkersReply__Output>,
  ): grpc.ClientUnaryCall;
  ListWorkers(
    argument: _chorus_v1_ListWorkersRequest,
    callback: grpc.requestCallback<_chorus_v1_ListWorkersReply__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The workers that reported in recently.
   */
  listWorkers(
    argument: _chorus_v1_ListWorkersRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ListWorkersReply__Output>,
  ): grpc.ClientUnaryCall;
  listWorkers(
    argument: _chorus_v1_ListWorkersRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_ListWorkersReply__Output>,
  ): grpc.ClientUnaryCall;
  listWorkers(
    argument: _chorus_v1_ListWorkersRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_ListWorkersReply__Output>,
  ): grpc.ClientUnaryCall;
  listWorkers(
    argument: _chorus_v1_ListWorkersRequest,
    callback: grpc.requestCallback<_chorus_v1_ListWorkersReply__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Uploads a job: a JobHeader first, then the local data files it names, in FileChunks.
   */
  SubmitJob(
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_SubmitJobReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_SubmitJobChunk>;
  SubmitJob(
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_SubmitJobReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_SubmitJobChunk>;
  SubmitJob(
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_SubmitJobReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_SubmitJobChunk>;
  SubmitJob(
    callback: grpc.requestCallback<_chorus_v1_SubmitJobReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_SubmitJobChunk>;
  /**
   * Uploads a job: a JobHeader first, then the local data files it names, in FileChunks.
   */
  submitJob(
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_SubmitJobReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_SubmitJobChunk>;
  submitJob(
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_SubmitJobReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_SubmitJobChunk>;
  submitJob(
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_SubmitJobReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_SubmitJobChunk>;
  submitJob(
    callback: grpc.requestCallback<_chorus_v1_SubmitJobReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_SubmitJobChunk>;

  /**
   * The job's events as they happen; the stream ends when the job ends (done, failed, interrupted).
   */
  WatchJob(
    argument: _chorus_v1_WatchJobRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_chorus_v1_JobEvent__Output>;
  WatchJob(
    argument: _chorus_v1_WatchJobRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_chorus_v1_JobEvent__Output>;
  /**
   * The job's events as they happen; the stream ends when the job ends (done, failed, interrupted).
   */
  watchJob(
    argument: _chorus_v1_WatchJobRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_chorus_v1_JobEvent__Output>;
  watchJob(
    argument: _chorus_v1_WatchJobRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_chorus_v1_JobEvent__Output>;
}

/**
 * The API that clients call to run and follow jobs.
 */
export interface CoordinatorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Stops a job: running tasks are cancelled and saved as pending, so it can be resumed later.
   */
  CancelJob: grpc.handleUnaryCall<_chorus_v1_CancelJobRequest__Output, _chorus_v1_CancelJobReply>;

  /**
   * A done job's files (report.json, report.md, report.html and every model): each file's
   * ArtifactFile, then, unless `list_only`, its bytes in FileChunks. Unknown job: NOT_FOUND; a job
   * that is not done: FAILED_PRECONDITION.
   */
  GetArtifacts: grpc.handleServerStreamingCall<
    _chorus_v1_GetArtifactsRequest__Output,
    _chorus_v1_ArtifactChunk
  >;

  /**
   * The job's state and every task's state.
   */
  GetJob: grpc.handleUnaryCall<_chorus_v1_GetJobRequest__Output, _chorus_v1_JobStatus>;

  /**
   * A finished job's report.
   */
  GetReport: grpc.handleUnaryCall<_chorus_v1_GetReportRequest__Output, _chorus_v1_ReportReply>;

  /**
   * Every job the coordinator knows, without per-task detail.
   */
  ListJobs: grpc.handleUnaryCall<_chorus_v1_ListJobsRequest__Output, _chorus_v1_ListJobsReply>;

  /**
   * The workers that reported in recently.
   */
  ListWorkers: grpc.handleUnaryCall<_chorus_v1_ListWorkersRequest__Output, _chorus_v1_ListWorkersReply>;

  /**
   * Uploads a job: a JobHeader first, then the local data files it names, in FileChunks.
   */
  SubmitJob: grpc.handleClientStreamingCall<_chorus_v1_SubmitJobChunk__Output, _chorus_v1_SubmitJobReply>;

  /**
   * The job's events as they happen; the stream ends when the job ends (done, failed, interrupted).
   */
  WatchJob: grpc.handleServerStreamingCall<_chorus_v1_WatchJobRequest__Output, _chorus_v1_JobEvent>;
}

export interface CoordinatorDefinition extends grpc.ServiceDefinition {
  CancelJob: MethodDefinition<
    _chorus_v1_CancelJobRequest,
    _chorus_v1_CancelJobReply,
    _chorus_v1_CancelJobRequest__Output,
    _chorus_v1_CancelJobReply__Output
  >;
  GetArtifacts: MethodDefinition<
    _chorus_v1_GetArtifactsRequest,
    _chorus_v1_ArtifactChunk,
    _chorus_v1_GetArtifactsRequest__Output,
    _chorus_v1_ArtifactChunk__Output
  >;
  GetJob: MethodDefinition<
    _chorus_v1_GetJobRequest,
    _chorus_v1_JobStatus,
    _chorus_v1_GetJobRequest__Output,
    _chorus_v1_JobStatus__Output
  >;
  GetReport: MethodDefinition<
    _chorus_v1_GetReportRequest,
    _chorus_v1_ReportReply,
    _chorus_v1_GetReportRequest__Output,
    _chorus_v1_ReportReply__Output
  >;
  ListJobs: MethodDefinition<
    _chorus_v1_ListJobsRequest,
    _chorus_v1_ListJobsReply,
    _chorus_v1_ListJobsRequest__Output,
    _chorus_v1_ListJobsReply__Output
  >;
  ListWorkers: MethodDefinition<
    _chorus_v1_ListWorkersRequest,
    _chorus_v1_ListWorkersReply,
    _chorus_v1_ListWorkersRequest__Output,
    _chorus_v1_ListWorkersReply__Output
  >;
  SubmitJob: MethodDefinition<
    _chorus_v1_SubmitJobChunk,
    _chorus_v1_SubmitJobReply,
    _chorus_v1_SubmitJobChunk__Output,
    _chorus_v1_SubmitJobReply__Output
  >;
  WatchJob: MethodDefinition<
    _chorus_v1_WatchJobRequest,
    _chorus_v1_JobEvent,
    _chorus_v1_WatchJobRequest__Output,
    _chorus_v1_JobEvent__Output
  >;
}
