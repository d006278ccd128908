// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  JobHeader as _chorus_v1_JobHeader,
  JobHeader__Output as _chorus_v1_JobHeader__Output,
} from '../../chorus/v1/JobHeader.ts';
import type {
  FileChunk as _chorus_v1_FileChunk,
  FileChunk__Output as _chorus_v1_FileChunk__Output,
} from '../../chorus/v1/FileChunk.ts';

/**
 * One message of a SubmitJob stream: exactly one header first, then any number of file chunks.
 */
export interface SubmitJobChunk {
  /**
   * The job itself; must be the first message and only appear once.
   */
  header?: _chorus_v1_JobHeader | null;
  /**
   * A piece of one of the files declared in the header.
   */
  file?: _chorus_v1_FileChunk | null;
  chunk?: 'header' | 'file';
}

/**
 * One message of a SubmitJob stream: exactly one header first, then any number of file chunks.
 */
export interface SubmitJobChunk__Output {
  /**
   * The job itself; must be the first message and only appear once.
   */
  header?: _chorus_v1_JobHeader__Output | null;
  /**
   * A piece of one of the files declared in the header.
   */
  file?: _chorus_v1_FileChunk__Output | null;
  chunk?: 'header' | 'file';
}
