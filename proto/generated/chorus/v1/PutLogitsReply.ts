// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What the coordinator accepted from a PutLogits stream.
 */
export interface PutLogitsReply {
  /**
   * The keys of the arrays received whole, in the order they completed.
   */
  keys?: string[];
  /**
   * Floats received over all arrays.
   */
  floats?: number | string | Long;
}

/**
 * What the coordinator accepted from a PutLogits stream.
 */
export interface PutLogitsReply__Output {
  /**
   * The keys of the arrays received whole, in the order they completed.
   */
  keys: string[];
  /**
   * Floats received over all arrays.
   */
  floats: number;
}
