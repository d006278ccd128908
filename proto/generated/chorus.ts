// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  ArtifactChunk as _chorus_v1_ArtifactChunk,
  ArtifactChunk__Output as _chorus_v1_ArtifactChunk__Output,
} from './chorus/v1/ArtifactChunk.ts';
import type {
  ArtifactFile as _chorus_v1_ArtifactFile,
  ArtifactFile__Output as _chorus_v1_ArtifactFile__Output,
} from './chorus/v1/ArtifactFile.ts';
import type {
  CancelJobReply as _chorus_v1_CancelJobReply,
  CancelJobReply__Output as _chorus_v1_CancelJobReply__Output,
} from './chorus/v1/CancelJobReply.ts';
import type {
  CancelJobRequest as _chorus_v1_CancelJobRequest,
  CancelJobRequest__Output as _chorus_v1_CancelJobRequest__Output,
} from './chorus/v1/CancelJobRequest.ts';
import type {
  CoordinatorClient as _chorus_v1_CoordinatorClient,
  CoordinatorDefinition as _chorus_v1_CoordinatorDefinition,
} from './chorus/v1/Coordinator.ts';
import type {
  DataPlaneClient as _chorus_v1_DataPlaneClient,
  DataPlaneDefinition as _chorus_v1_DataPlaneDefinition,
} from './chorus/v1/DataPlane.ts';
import type {
  DeclaredFile as _chorus_v1_DeclaredFile,
  DeclaredFile__Output as _chorus_v1_DeclaredFile__Output,
} from './chorus/v1/DeclaredFile.ts';
import type {
  FileChunk as _chorus_v1_FileChunk,
  FileChunk__Output as _chorus_v1_FileChunk__Output,
} from './chorus/v1/FileChunk.ts';
import type {
  GetArtifactsRequest as _chorus_v1_GetArtifactsRequest,
  GetArtifactsRequest__Output as _chorus_v1_GetArtifactsRequest__Output,
} from './chorus/v1/GetArtifactsRequest.ts';
import type {
  GetJobRequest as _chorus_v1_GetJobRequest,
  GetJobRequest__Output as _chorus_v1_GetJobRequest__Output,
} from './chorus/v1/GetJobRequest.ts';
import type {
  GetReportRequest as _chorus_v1_GetReportRequest,
  GetReportRequest__Output as _chorus_v1_GetReportRequest__Output,
} from './chorus/v1/GetReportRequest.ts';
import type {
  JobDone as _chorus_v1_JobDone,
  JobDone__Output as _chorus_v1_JobDone__Output,
} from './chorus/v1/JobDone.ts';
import type {
  JobEvent as _chorus_v1_JobEvent,
  JobEvent__Output as _chorus_v1_JobEvent__Output,
} from './chorus/v1/JobEvent.ts';
import type {
  JobFailed as _chorus_v1_JobFailed,
  JobFailed__Output as _chorus_v1_JobFailed__Output,
} from './chorus/v1/JobFailed.ts';
import type {
  JobHeader as _chorus_v1_JobHeader,
  JobHeader__Output as _chorus_v1_JobHeader__Output,
} from './chorus/v1/JobHeader.ts';
import type {
  JobInterrupted as _chorus_v1_JobInterrupted,
  JobInterrupted__Output as _chorus_v1_JobInterrupted__Output,
} from './chorus/v1/JobInterrupted.ts';
import type {
  JobStarted as _chorus_v1_JobStarted,
  JobStarted__Output as _chorus_v1_JobStarted__Output,
} from './chorus/v1/JobStarted.ts';
import type {
  JobStatus as _chorus_v1_JobStatus,
  JobStatus__Output as _chorus_v1_JobStatus__Output,
} from './chorus/v1/JobStatus.ts';
import type {
  JobSummary as _chorus_v1_JobSummary,
  JobSummary__Output as _chorus_v1_JobSummary__Output,
} from './chorus/v1/JobSummary.ts';
import type {
  ListJobsReply as _chorus_v1_ListJobsReply,
  ListJobsReply__Output as _chorus_v1_ListJobsReply__Output,
} from './chorus/v1/ListJobsReply.ts';
import type {
  ListJobsRequest as _chorus_v1_ListJobsRequest,
  ListJobsRequest__Output as _chorus_v1_ListJobsRequest__Output,
} from './chorus/v1/ListJobsRequest.ts';
import type {
  ListWorkersReply as _chorus_v1_ListWorkersReply,
  ListWorkersReply__Output as _chorus_v1_ListWorkersReply__Output,
} from './chorus/v1/ListWorkersReply.ts';
import type {
  ListWorkersRequest as _chorus_v1_ListWorkersRequest,
  ListWorkersRequest__Output as _chorus_v1_ListWorkersRequest__Output,
} from './chorus/v1/ListWorkersRequest.ts';
import type {
  LogitChunk as _chorus_v1_LogitChunk,
  LogitChunk__Output as _chorus_v1_LogitChunk__Output,
} from './chorus/v1/LogitChunk.ts';
import type {
  PutLogitsReply as _chorus_v1_PutLogitsReply,
  PutLogitsReply__Output as _chorus_v1_PutLogitsReply__Output,
} from './chorus/v1/PutLogitsReply.ts';
import type {
  ReportReply as _chorus_v1_ReportReply,
  ReportReply__Output as _chorus_v1_ReportReply__Output,
} from './chorus/v1/ReportReply.ts';
import type {
  SubmitJobChunk as _chorus_v1_SubmitJobChunk,
  SubmitJobChunk__Output as _chorus_v1_SubmitJobChunk__Output,
} from './chorus/v1/SubmitJobChunk.ts';
import type {
  SubmitJobReply as _chorus_v1_SubmitJobReply,
  SubmitJobReply__Output as _chorus_v1_SubmitJobReply__Output,
} from './chorus/v1/SubmitJobReply.ts';
import type {
  SubmitOptions as _chorus_v1_SubmitOptions,
  SubmitOptions__Output as _chorus_v1_SubmitOptions__Output,
} from './chorus/v1/SubmitOptions.ts';
import type {
  TaskCounts as _chorus_v1_TaskCounts,
  TaskCounts__Output as _chorus_v1_TaskCounts__Output,
} from './chorus/v1/TaskCounts.ts';
import type {
  TaskDone as _chorus_v1_TaskDone,
  TaskDone__Output as _chorus_v1_TaskDone__Output,
} from './chorus/v1/TaskDone.ts';
import type {
  TaskFailed as _chorus_v1_TaskFailed,
  TaskFailed__Output as _chorus_v1_TaskFailed__Output,
} from './chorus/v1/TaskFailed.ts';
import type {
  TaskProgress as _chorus_v1_TaskProgress,
  TaskProgress__Output as _chorus_v1_TaskProgress__Output,
} from './chorus/v1/TaskProgress.ts';
import type {
  TaskProgressed as _chorus_v1_TaskProgressed,
  TaskProgressed__Output as _chorus_v1_TaskProgressed__Output,
} from './chorus/v1/TaskProgressed.ts';
import type {
  TaskStarted as _chorus_v1_TaskStarted,
  TaskStarted__Output as _chorus_v1_TaskStarted__Output,
} from './chorus/v1/TaskStarted.ts';
import type {
  TaskStatus as _chorus_v1_TaskStatus,
  TaskStatus__Output as _chorus_v1_TaskStatus__Output,
} from './chorus/v1/TaskStatus.ts';
import type {
  WatchJobRequest as _chorus_v1_WatchJobRequest,
  WatchJobRequest__Output as _chorus_v1_WatchJobRequest__Output,
} from './chorus/v1/WatchJobRequest.ts';
import type {
  WorkerStatus as _chorus_v1_WorkerStatus,
  WorkerStatus__Output as _chorus_v1_WorkerStatus__Output,
} from './chorus/v1/WorkerStatus.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  chorus: {
    v1: {
      ArtifactChunk: MessageTypeDefinition<_chorus_v1_ArtifactChunk, _chorus_v1_ArtifactChunk__Output>;
      ArtifactFile: MessageTypeDefinition<_chorus_v1_ArtifactFile, _chorus_v1_ArtifactFile__Output>;
      CancelJobReply: MessageTypeDefinition<_chorus_v1_CancelJobReply, _chorus_v1_CancelJobReply__Output>;
      CancelJobRequest: MessageTypeDefinition<
        _chorus_v1_CancelJobRequest,
        _chorus_v1_CancelJobRequest__Output
      >;
      /**
       * The API that clients call to run and follow jobs.
       */
      Coordinator: SubtypeConstructor<typeof grpc.Client, _chorus_v1_CoordinatorClient> & {
        service: _chorus_v1_CoordinatorDefinition;
      };
      /**
       * The bulk path from workers to the coordinator.
       */
      DataPlane: SubtypeConstructor<typeof grpc.Client, _chorus_v1_DataPlaneClient> & {
        service: _chorus_v1_DataPlaneDefinition;
      };
      DeclaredFile: MessageTypeDefinition<_chorus_v1_DeclaredFile, _chorus_v1_DeclaredFile__Output>;
      FileChunk: MessageTypeDefinition<_chorus_v1_FileChunk, _chorus_v1_FileChunk__Output>;
      GetArtifactsRequest: MessageTypeDefinition<
        _chorus_v1_GetArtifactsRequest,
        _chorus_v1_GetArtifactsRequest__Output
      >;
      GetJobRequest: MessageTypeDefinition<_chorus_v1_GetJobRequest, _chorus_v1_GetJobRequest__Output>;
      GetReportRequest: MessageTypeDefinition<
        _chorus_v1_GetReportRequest,
        _chorus_v1_GetReportRequest__Output
      >;
      JobDone: MessageTypeDefinition<_chorus_v1_JobDone, _chorus_v1_JobDone__Output>;
      JobEvent: MessageTypeDefinition<_chorus_v1_JobEvent, _chorus_v1_JobEvent__Output>;
      JobFailed: MessageTypeDefinition<_chorus_v1_JobFailed, _chorus_v1_JobFailed__Output>;
      JobHeader: MessageTypeDefinition<_chorus_v1_JobHeader, _chorus_v1_JobHeader__Output>;
      JobInterrupted: MessageTypeDefinition<_chorus_v1_JobInterrupted, _chorus_v1_JobInterrupted__Output>;
      JobStarted: MessageTypeDefinition<_chorus_v1_JobStarted, _chorus_v1_JobStarted__Output>;
      JobState: EnumTypeDefinition;
      JobStatus: MessageTypeDefinition<_chorus_v1_JobStatus, _chorus_v1_JobStatus__Output>;
      JobSummary: MessageTypeDefinition<_chorus_v1_JobSummary, _chorus_v1_JobSummary__Output>;
      ListJobsReply: MessageTypeDefinition<_chorus_v1_ListJobsReply, _chorus_v1_ListJobsReply__Output>;
      ListJobsRequest: MessageTypeDefinition<_chorus_v1_ListJobsRequest, _chorus_v1_ListJobsRequest__Output>;
      ListWorkersReply: MessageTypeDefinition<
        _chorus_v1_ListWorkersReply,
        _chorus_v1_ListWorkersReply__Output
      >;
      ListWorkersRequest: MessageTypeDefinition<
        _chorus_v1_ListWorkersRequest,
        _chorus_v1_ListWorkersRequest__Output
      >;
      LogitChunk: MessageTypeDefinition<_chorus_v1_LogitChunk, _chorus_v1_LogitChunk__Output>;
      PutLogitsReply: MessageTypeDefinition<_chorus_v1_PutLogitsReply, _chorus_v1_PutLogitsReply__Output>;
      ReportReply: MessageTypeDefinition<_chorus_v1_ReportReply, _chorus_v1_ReportReply__Output>;
      SubmitJobChunk: MessageTypeDefinition<_chorus_v1_SubmitJobChunk, _chorus_v1_SubmitJobChunk__Output>;
      SubmitJobReply: MessageTypeDefinition<_chorus_v1_SubmitJobReply, _chorus_v1_SubmitJobReply__Output>;
      SubmitOptions: MessageTypeDefinition<_chorus_v1_SubmitOptions, _chorus_v1_SubmitOptions__Output>;
      TaskCounts: MessageTypeDefinition<_chorus_v1_TaskCounts, _chorus_v1_TaskCounts__Output>;
      TaskDone: MessageTypeDefinition<_chorus_v1_TaskDone, _chorus_v1_TaskDone__Output>;
      TaskFailed: MessageTypeDefinition<_chorus_v1_TaskFailed, _chorus_v1_TaskFailed__Output>;
      TaskProgress: MessageTypeDefinition<_chorus_v1_TaskProgress, _chorus_v1_TaskProgress__Output>;
      TaskProgressed: MessageTypeDefinition<_chorus_v1_TaskProgressed, _chorus_v1_TaskProgressed__Output>;
      TaskStarted: MessageTypeDefinition<_chorus_v1_TaskStarted, _chorus_v1_TaskStarted__Output>;
      TaskState: EnumTypeDefinition;
      TaskStatus: MessageTypeDefinition<_chorus_v1_TaskStatus, _chorus_v1_TaskStatus__Output>;
      WatchJobRequest: MessageTypeDefinition<_chorus_v1_WatchJobRequest, _chorus_v1_WatchJobRequest__Output>;
      WorkerStatus: MessageTypeDefinition<_chorus_v1_WorkerStatus, _chorus_v1_WorkerStatus__Output>;
    };
  };
}
