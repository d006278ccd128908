// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type {
  SubmitOptions as _chorus_v1_SubmitOptions,
  SubmitOptions__Output as _chorus_v1_SubmitOptions__Output,
} from '../../chorus/v1/SubmitOptions.ts';
import type {
  DeclaredFile as _chorus_v1_DeclaredFile,
  DeclaredFile__Output as _chorus_v1_DeclaredFile__Output,
} from '../../chorus/v1/DeclaredFile.ts';

/**
 * The job file and how to run it.
 */
export interface JobHeader {
  /**
   * The job file's name as the user gave it (for error messages, e.g. `examples/mnist.yaml`).
   */
  fileName?: string;
  /**
   * The job file's text (YAML or JSON).
   */
  jobText?: string;
  /**
   * How to submit it.
   */
  options?: _chorus_v1_SubmitOptions | null;
  /**
   * Every data file that follows, with its size, so the coordinator can check that each arrived whole.
   */
  files?: _chorus_v1_DeclaredFile[];
}

/**
 * The job file and how to run it.
 */
export interface JobHeader__Output {
  /**
   * The job file's name as the user gave it (for error messages, e.g. `examples/mnist.yaml`).
   */
  fileName: string;
  /**
   * The job file's text (YAML or JSON).
   */
  jobText: string;
  /**
   * How to submit it.
   */
  options: _chorus_v1_SubmitOptions__Output | null;
  /**
   * Every data file that follows, with its size, so the coordinator can check that each arrived whole.
   */
  files: _chorus_v1_DeclaredFile__Output[];
}
