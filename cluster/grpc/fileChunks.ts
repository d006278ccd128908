import type { FileChunk } from '../../proto/generated/chorus/v1/FileChunk.ts';

/**
 * A file's bytes as the FileChunk messages of a stream (SubmitJob's data files, GetArtifacts' files):
 * contiguous pieces of at most `chunkBytes`, as views of the file's memory, the last one marked; an
 * empty file is one empty last piece.
 */
export function* fileChunks(path: string, bytes: Uint8Array, chunkBytes: number): Generator<FileChunk> {
  const step = Math.max(1, chunkBytes);
  let offset = 0;
  do {
    const end = Math.min(offset + step, bytes.byteLength);
    yield {
      path,
      offset,
      data: Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset),
      last: end === bytes.byteLength,
    };
    offset = end;
  } while (offset < bytes.byteLength);
}
