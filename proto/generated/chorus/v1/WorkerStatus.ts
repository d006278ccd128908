// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One worker process, as it last reported itself.
 */
export interface WorkerStatus {
  /**
   * Its id (unique per process).
   */
  workerId?: string;
  /**
   * The machine (or pod) it runs on.
   */
  host?: string;
  /**
   * Tasks it can run at once.
   */
  slots?: number;
  /**
   * Tasks it is running.
   */
  busy?: number;
  /**
   * The tfjs backend its threads use, e.g. `wasm`, `tensorflow`.
   */
  backend?: string;
  /**
   * When it last reported in.
   */
  lastSeenMs?: number | string | Long;
  /**
   * How its slots are kept apart: `thread` or `process` (empty from workers older than this field).
   */
  isolation?: string;
  /**
   * The GPUs its pool processes are placed on (`--gpus`); empty when none.
   */
  gpus?: number[];
}

/**
 * One worker process, as it last reported itself.
 */
export interface WorkerStatus__Output {
  /**
   * Its id (unique per process).
   */
  workerId: string;
  /**
   * The machine (or pod) it runs on.
   */
  host: string;
  /**
   * Tasks it can run at once.
   */
  slots: number;
  /**
   * Tasks it is running.
   */
  busy: number;
  /**
   * The tfjs backend its threads use, e.g. `wasm`, `tensorflow`.
   */
  backend: string;
  /**
   * When it last reported in.
   */
  lastSeenMs: number;
  /**
   * How its slots are kept apart: `thread` or `process` (empty from workers older than this field).
   */
  isolation: string;
  /**
   * The GPUs its pool processes are placed on (`--gpus`); empty when none.
   */
  gpus: number[];
}
