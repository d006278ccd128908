// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  ArtifactFile as _chorus_v1_ArtifactFile,
  ArtifactFile__Output as _chorus_v1_ArtifactFile__Output,
} from '../../chorus/v1/ArtifactFile.ts';
import type {
  FileChunk as _chorus_v1_FileChunk,
  FileChunk__Output as _chorus_v1_FileChunk__Output,
} from '../../chorus/v1/FileChunk.ts';

/**
 * One message of a GetArtifacts stream: a file's ArtifactFile, then its bytes in order.
 */
export interface ArtifactChunk {
  /**
   * Starts a file (with `list_only`: the only message per file).
   */
  file?: _chorus_v1_ArtifactFile | null;
  /**
   * A piece of the file last started; its `path` repeats the file's.
   */
  data?: _chorus_v1_FileChunk | null;
  chunk?: 'file' | 'data';
}

/**
 * One message of a GetArtifacts stream: a file's ArtifactFile, then its bytes in order.
 */
export interface ArtifactChunk__Output {
  /**
   * Starts a file (with `list_only`: the only message per file).
   */
  file?: _chorus_v1_ArtifactFile__Output | null;
  /**
   * A piece of the file last started; its `path` repeats the file's.
   */
  data?: _chorus_v1_FileChunk__Output | null;
  chunk?: 'file' | 'data';
}
