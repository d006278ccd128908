import { createHash } from 'node:crypto';
import { ChorusError } from '../../core/errors.ts';
import type { ArtifactChunk, ArtifactChunk__Output } from '../../proto/generated/chorus/v1/ArtifactChunk.ts';
import type { ArtifactFile__Output } from '../../proto/generated/chorus/v1/ArtifactFile.ts';
import type { ArtifactInfo } from '../api/apiTypes.ts';
import { fileChunks } from './fileChunks.ts';
import { CHUNK_BYTES } from './messageLimits.ts';

/**
 * The GetArtifacts stream: for each file an ArtifactFile (path, size, SHA-256), then, unless only the
 * list was asked for, its bytes in pieces of at most CHUNK_BYTES. The server side makes the messages;
 * the client side reads them back as plain pieces, refusing paths that could leave the folder they are
 * written to (a client must not trust a server with its disk).
 */

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The messages of one file: its description (digest of these very bytes), then its pieces. */
export function* artifactMessages(
  path: string,
  bytes: Uint8Array,
  chunkBytes: number = CHUNK_BYTES,
): Generator<ArtifactChunk> {
  yield { file: { path, size: bytes.byteLength, sha256: sha256Hex(bytes) } };
  for (const data of fileChunks(path, bytes, chunkBytes)) yield { data };
}

/** One piece of a GetArtifacts stream, as the client library gives it. */
export type ArtifactPiece =
  | { type: 'file'; file: ArtifactInfo }
  | { type: 'data'; path: string; offset: number; bytes: Uint8Array; last: boolean };

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A relative path that stays inside the folder it is joined to: `/`-separated plain names, no `..`,
 * no leading `/`, no backslash or drive letter, no NUL. Throws otherwise.
 */
export function checkArtifactPath(path: string): string {
  const parts = path.split('/');
  const plain = parts.every((p) => p !== '' && p !== '.' && p !== '..' && !/[\\:\0]/.test(p));
  if (!plain || path.length > 1024) {
    throw new ChorusError(`the coordinator sent an unsafe file path ${JSON.stringify(path.slice(0, 200))}`);
  }
  return path;
}

function fileFromWire(file: ArtifactFile__Output): ArtifactInfo {
  if (!SHA256_HEX.test(file.sha256)) {
    throw new ChorusError(
      `the coordinator sent no valid SHA-256 for ${JSON.stringify(file.path.slice(0, 200))}`,
    );
  }
  return { path: checkArtifactPath(file.path), size: file.size, sha256: file.sha256 };
}

/** A message of the stream as a piece; throws on a malformed one. */
export function artifactPieceFromWire(message: ArtifactChunk__Output): ArtifactPiece {
  if (message.chunk === 'file' && message.file) return { type: 'file', file: fileFromWire(message.file) };
  if (message.chunk === 'data' && message.data) {
    const { path, offset, data, last } = message.data;
    return {
      type: 'data',
      path,
      offset,
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      last,
    };
  }
  throw new ChorusError('the coordinator sent a GetArtifacts message with neither a file nor data');
}
