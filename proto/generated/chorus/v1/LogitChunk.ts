// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A contiguous piece of one float32 array. Every chunk of an array repeats its identity and shape;
 * arrays are told apart by (job_id, dispatch_id, key), so one stream may carry several.
 */
export interface LogitChunk {
  /**
   * The job the array belongs to.
   */
  jobId?: string;
  /**
   * The task that produced it.
   */
  taskId?: string;
  /**
   * The task attempt's dispatch id: results of superseded attempts can be recognised and dropped.
   */
  dispatchId?: string;
  /**
   * The artifact key it is stored under, e.g. `predictions/members/mlp-0/test.f32`.
   */
  key?: string;
  /**
   * The data split the rows belong to: train, validation or test.
   */
  split?: string;
  /**
   * Position of this chunk's first value in the whole array, counted in floats (not bytes).
   */
  offset?: number | string | Long;
  /**
   * Shape of the whole array (row-major [rows, cols]), the same in every chunk.
   */
  rows?: number;
  cols?: number;
  /**
   * The values, float32 little-endian; a multiple of 4 bytes.
   */
  data?: Buffer | Uint8Array | string;
  /**
   * True on the array's final chunk (offset + len(data)/4 must then equal rows * cols).
   */
  last?: boolean;
}

/**
 * A contiguous piece of one float32 array. Every chunk of an array repeats its identity and shape;
 * arrays are told apart by (job_id, dispatch_id, key), so one stream may carry several.
 */
export interface LogitChunk__Output {
  /**
   * The job the array belongs to.
   */
  jobId: string;
  /**
   * The task that produced it.
   */
  taskId: string;
  /**
   * The task attempt's dispatch id: results of superseded attempts can be recognised and dropped.
   */
  dispatchId: string;
  /**
   * The artifact key it is stored under, e.g. `predictions/members/mlp-0/test.f32`.
   */
  key: string;
  /**
   * The data split the rows belong to: train, validation or test.
   */
  split: string;
  /**
   * Position of this chunk's first value in the whole array, counted in floats (not bytes).
   */
  offset: number;
  /**
   * Shape of the whole array (row-major [rows, cols]), the same in every chunk.
   */
  rows: number;
  cols: number;
  /**
   * The values, float32 little-endian; a multiple of 4 bytes.
   */
  data: Buffer;
  /**
   * True on the array's final chunk (offset + len(data)/4 must then equal rows * cols).
   */
  last: boolean;
}
