import type { MessagePort } from 'node:worker_threads';
import type { ClientSecurity } from '../cluster/grpc/authClient.ts';
import type { NatsClientSecurity } from '../cluster/nats/natsClientSecurity.ts';
import type { BackendChoice } from '../core/backend/backendChoice.ts';
import type { ResolvedJob } from '../core/spec/resolvedJob.ts';
import type { PoolTask } from '../core/tasks/task.ts';
import type { PreparedData } from '../core/tasks/taskContext.ts';
import type { TaskProgress } from '../core/tasks/taskProgress.ts';
import type { ThreadMetricsMessage } from './metrics/threadMetricsMessage.ts';

/**
 * Where a thread finds the artifact store (a descriptor: stores and connections do not cross threads).
 * `nats`: the Object Store under `<jobId>/`, with `predictions/…` streamed to the coordinator over gRPC.
 */
export type ArtifactLocation =
  | { kind: 'fs'; root: string }
  | {
      kind: 'nats';
      servers: string[];
      /** NATS login and TLS: file paths, which the thread reads; a password only if it came from the environment. Never logged. */
      natsSecurity?: NatsClientSecurity;
      /** Inbox prefix of the worker's NATS user (its permissions allow no other). */
      inboxPrefix?: string;
      bucket: string;
      prefix: string;
      coordinator: string;
      /** TLS files and bearer token for the coordinator; the thread reads the files itself. Never logged. */
      grpc?: ClientSecurity;
      jobId: string;
      taskId: string;
      dispatchId: string;
    };

/** One task handed to a pool thread. `data` holds SharedArrayBuffers: threads read it without a copy. */
export interface PoolRequest {
  task: PoolTask;
  job: ResolvedJob;
  data: PreparedData;
  artifacts: ArtifactLocation;
  backend: BackendChoice;
  attempt: number;
  /** The thread posts ThreadMessages here while the task runs. */
  port: MessagePort;
}

/**
 * Readies one pool thread before any task: loads its modules and starts `backend`. Each thread holds
 * its warm-up until `threads` of them have arrived (a counter in `arrived`), so that every thread of
 * the pool gets exactly one; it waits at most `waitMs`.
 */
export interface WarmUpRequest {
  kind: 'warm-up';
  backend: BackendChoice;
  arrived: SharedArrayBuffer;
  threads: number;
  waitMs: number;
  /** Also load the NATS Object Store client (distributed workers), which a thread otherwise loads in its first task. */
  natsArtifacts?: boolean;
}

/** What a warmed slot reports: which thread (or child process), and the backend it started. */
export interface WarmUpResult {
  threadId: number;
  backend: string;
  /** The GPU a child process was placed on (`--gpus`); absent for threads and unplaced children. */
  gpu?: number;
}

/** Messages from a pool thread to its executor, tagged by `type`. */
export type ThreadMessage =
  | { type: 'progress'; progress: TaskProgress }
  | {
      type: 'backend';
      name: string;
      patchedKernels: string[];
      /** npm package, version and GPU build of the backend (metrics label them). */
      package?: string;
      version?: string;
      gpu?: boolean;
      /** The GPU index the slot was placed on (`--gpus`), added by the process pool. */
      gpuIndex?: number;
    }
  | ThreadMetricsMessage;

/**
 * What the executor may tell a thread while its task runs, on the task's port: `yield` asks it to give
 * its slot back (training checkpoints at the end of the epoch and stops with TaskYieldedError).
 */
export interface YieldRequestMessage {
  type: 'yield';
}

/**
 * The thread's last message of a task. Port messages arrive in order, so once it is in, every
 * earlier message has been delivered; `ThreadPool.run` waits for it and does not pass it on.
 */
export interface EndOfTaskMessage {
  type: 'end';
}
