// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A file of a done job, as `chorus run` would have it in its output folder.
 */
export interface ArtifactFile {
  /**
   * Relative, `/`-separated, e.g. `report.html`, `models/members/mlp-0/model.json`.
   */
  path?: string;
  /**
   * Its size in bytes.
   */
  size?: number | string | Long;
  /**
   * SHA-256 of its bytes, lowercase hex: a client keeps a local copy only if it matches.
   */
  sha256?: string;
}

/**
 * A file of a done job, as `chorus run` would have it in its output folder.
 */
export interface ArtifactFile__Output {
  /**
   * Relative, `/`-separated, e.g. `report.html`, `models/members/mlp-0/model.json`.
   */
  path: string;
  /**
   * Its size in bytes.
   */
  size: number;
  /**
   * SHA-256 of its bytes, lowercase hex: a client keeps a local copy only if it matches.
   */
  sha256: string;
}
