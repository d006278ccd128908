// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A data file that the client will send after the header.
 */
export interface DeclaredFile {
  /**
   * The path exactly as the job file names it. An opaque name for the coordinator, never a path on its disk.
   */
  path?: string;
  /**
   * Its size in bytes.
   */
  size?: number | string | Long;
}

/**
 * A data file that the client will send after the header.
 */
export interface DeclaredFile__Output {
  /**
   * The path exactly as the job file names it. An opaque name for the coordinator, never a path on its disk.
   */
  path: string;
  /**
   * Its size in bytes.
   */
  size: number;
}
