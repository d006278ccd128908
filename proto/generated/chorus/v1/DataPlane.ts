// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  LogitChunk as _chorus_v1_LogitChunk,
  LogitChunk__Output as _chorus_v1_LogitChunk__Output,
} from '../../chorus/v1/LogitChunk.ts';
import type {
  PutLogitsReply as _chorus_v1_PutLogitsReply,
  PutLogitsReply__Output as _chorus_v1_PutLogitsReply__Output,
} from '../../chorus/v1/PutLogitsReply.ts';

/**
 * The bulk path from workers to the coordinator.
 */
export interface DataPlaneClient extends grpc.Client {
  /**
   * Streams one or more float32 arrays (logits) in chunks; the reply comes once every array is whole.
   * An empty stream stores nothing and is answered with no keys, after the token's role is checked:
   * workers send one at start to check that their token may call PutLogits.
   */
  PutLogits(
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_PutLogitsReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_LogitChunk>;
  PutLogits(
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_PutLogitsReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_LogitChunk>;
  PutLogits(
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_PutLogitsReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_LogitChunk>;
  PutLogits(
    callback: grpc.requestCallback<_chorus_v1_PutLogitsReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_LogitChunk>;
  /**
   * Streams one or more float32 arrays (logits) in chunks; the reply comes once every array is whole.
   * An empty stream stores nothing and is answered with no keys, after the token's role is checked:
   * workers send one at start to check that their token may call PutLogits.
   */
  putLogits(
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_PutLogitsReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_LogitChunk>;
  putLogits(
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_chorus_v1_PutLogitsReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_LogitChunk>;
  putLogits(
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_chorus_v1_PutLogitsReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_LogitChunk>;
  putLogits(
    callback: grpc.requestCallback<_chorus_v1_PutLogitsReply__Output>,
  ): grpc.ClientWritableStream<_chorus_v1_LogitChunk>;
}

/**
 * The bulk path from workers to the coordinator.
 */
export interface DataPlaneHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Streams one or more float32 arrays (logits) in chunks; the reply comes once every array is whole.
   * An empty stream stores nothing and is answered with no keys, after the token's role is checked:
   * workers send one at start to check that their token may call PutLogits.
   */
  PutLogits: grpc.handleClientStreamingCall<_chorus_v1_LogitChunk__Output, _chorus_v1_PutLogitsReply>;
}

export interface DataPlaneDefinition extends grpc.ServiceDefinition {
  PutLogits: MethodDefinition<
    _chorus_v1_LogitChunk,
    _chorus_v1_PutLogitsReply,
    _chorus_v1_LogitChunk__Output,
    _chorus_v1_PutLogitsReply__Output
  >;
}
