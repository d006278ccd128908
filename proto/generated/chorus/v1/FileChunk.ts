// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A contiguous piece of a file: of a declared data file (SubmitJob), or of an artifact (GetArtifacts).
 */
export interface FileChunk {
  /**
   * The file this piece belongs to.
   */
  path?: string;
  /**
   * Byte offset of `data` in the file; pieces of one file arrive in order, without gaps.
   */
  offset?: number | string | Long;
  /**
   * The bytes.
   */
  data?: Buffer | Uint8Array | string;
  /**
   * True on the file's final piece (offset + len(data) must then equal the declared size).
   */
  last?: boolean;
}

/**
 * A contiguous piece of a file: of a declared data file (SubmitJob), or of an artifact (GetArtifacts).
 */
export interface FileChunk__Output {
  /**
   * The file this piece belongs to.
   */
  path: string;
  /**
   * Byte offset of `data` in the file; pieces of one file arrive in order, without gaps.
   */
  offset: number;
  /**
   * The bytes.
   */
  data: Buffer;
  /**
   * True on the file's final piece (offset + len(data) must then equal the declared size).
   */
  last: boolean;
}
