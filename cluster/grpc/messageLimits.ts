import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * Size limits of the gRPC layer, in one place so that server and clients agree. grpc-js refuses
 * messages over 4 MiB by default; Chorus raises the limit on both ends and keeps every streamed chunk
 * far below it, so a chunk plus its fields never comes near the limit.
 */

const MiB = 1024 * 1024;

/** Largest message either end sends or accepts. */
export const MAX_MESSAGE_BYTES = 16 * MiB;

/** Payload bytes per streamed chunk (file pieces in SubmitJob, float32 data in PutLogits). */
export const CHUNK_BYTES = 4 * MiB;

/**
 * Most floats one PutLogits stream may have in flight (declared arrays not yet complete): 256 MiB.
 * The coordinator allocates an array when its first chunk declares the shape, so this bounds memory.
 */
export const MAX_LOGIT_FLOATS = 64 * MiB;

/** Largest total of data files one SubmitJob may upload (they are held in memory until stored). */
export const MAX_UPLOAD_BYTES = 1024 * MiB;

/** Channel options for servers and clients alike: the explicit message limits. */
export function messageLimitOptions(maxMessageBytes: number = MAX_MESSAGE_BYTES): ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  };
}
