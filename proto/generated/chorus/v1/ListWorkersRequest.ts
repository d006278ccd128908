// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * Asks for the live workers.
 */
export interface ListWorkersRequest {}

/**
 * Asks for the live workers.
 */
export interface ListWorkersRequest__Output {}
