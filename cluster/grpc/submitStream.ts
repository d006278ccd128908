import { NonRetryableError } from '../../core/errors.ts';
import { PRIORITIES } from '../../core/spec/priority.ts';
import type { JobHeader__Output } from '../../proto/generated/chorus/v1/JobHeader.ts';
import type {
  SubmitJobChunk,
  SubmitJobChunk__Output,
} from '../../proto/generated/chorus/v1/SubmitJobChunk.ts';
import type { SubmitJobRequest, UploadFile } from '../api/apiTypes.ts';
import { fileChunks } from './fileChunks.ts';
import { CHUNK_BYTES, MAX_UPLOAD_BYTES } from './messageLimits.ts';

/**
 * The SubmitJob stream: a header (job text, options, the declared files and their sizes), then each
 * file in pieces of at most CHUNK_BYTES. The client side produces the messages lazily; the server side
 * reassembles and checks them, so handlers only ever see whole files of the declared size.
 */

/** The messages of one submission, as views of the files' memory. */
export function* submitChunks(
  request: SubmitJobRequest,
  chunkBytes: number = CHUNK_BYTES,
): Generator<SubmitJobChunk> {
  const { fileName, jobText, fresh, files, priority } = request;
  yield {
    header: {
      fileName,
      jobText,
      options: { fresh, priority: priority ?? '' },
      files: files.map((f) => ({ path: f.path, size: f.bytes.byteLength })),
    },
  };
  for (const { path, bytes } of files) {
    for (const file of fileChunks(path, bytes, chunkBytes)) yield { file };
  }
}

function bad(problem: string): NonRetryableError {
  return new NonRetryableError(`bad SubmitJob stream: ${problem}`);
}

interface Incoming {
  path: string;
  bytes: Uint8Array;
  received: number;
  complete: boolean;
}

export interface SubmitAssemblerOptions {
  /** Most bytes of data files one submission may declare. */
  maxUploadBytes?: number;
}

/** Reassembles one SubmitJob stream; `finish` returns the request once every declared file is whole. */
export class SubmitAssembler {
  private readonly maxUploadBytes: number;
  private header: JobHeader__Output | undefined;
  private readonly files = new Map<string, Incoming>();

  constructor(options: SubmitAssemblerOptions = {}) {
    this.maxUploadBytes = options.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  }

  add(message: SubmitJobChunk__Output): void {
    if (message.chunk === 'header' && message.header) return this.addHeader(message.header);
    if (message.chunk === 'file' && message.file) {
      if (!this.header) throw bad('the first message must be the header, not a file chunk');
      return this.addFile(message.file.path, message.file.offset, message.file.data, message.file.last);
    }
    throw bad('a message with neither a header nor a file chunk');
  }

  private addHeader(header: JobHeader__Output): void {
    if (this.header) throw bad('a second header');
    if (!header.jobText.trim()) throw bad('the job text is empty');
    const seen = new Set<string>();
    let total = 0;
    for (const { path, size } of header.files) {
      if (!path || path.includes('\0'))
        throw bad(`a declared file has an invalid path ${JSON.stringify(path)}`);
      if (seen.has(path)) throw bad(`file ${path} is declared twice`);
      seen.add(path);
      total += size;
    }
    if (total > this.maxUploadBytes) {
      throw bad(
        `the declared files hold ${total} bytes, over the coordinator's upload limit of ${this.maxUploadBytes}`,
      );
    }
    // Allocated only now that the whole declaration is within the limit.
    for (const { path, size } of header.files) {
      this.files.set(path, { path, bytes: new Uint8Array(size), received: 0, complete: false });
    }
    this.header = header;
  }

  private addFile(path: string, offset: number, data: Buffer, last: boolean): void {
    const f = this.files.get(path);
    if (!f) throw bad(`a chunk of ${JSON.stringify(path)}, which the header did not declare`);
    if (f.complete) throw bad(`a chunk of ${path} after its last chunk`);
    if (offset !== f.received) {
      throw bad(
        `chunk of ${path} starts at byte ${offset}, expected ${f.received} (chunks must be contiguous)`,
      );
    }
    if (offset + data.length > f.bytes.byteLength) {
      throw bad(
        `chunk of ${path} ends at byte ${offset + data.length}, past its declared size ${f.bytes.byteLength}`,
      );
    }
    f.bytes.set(data, offset);
    f.received += data.length;
    if (last) {
      if (f.received !== f.bytes.byteLength) {
        throw bad(`last chunk of ${path} ends at byte ${f.received}, but it declared ${f.bytes.byteLength}`);
      }
      f.complete = true;
    }
  }

  /** The whole submission; throws if the header or any file's last chunk never came. */
  finish(): SubmitJobRequest {
    const header = this.header;
    if (!header) throw bad('the stream ended without a header');
    const files: UploadFile[] = [];
    for (const f of this.files.values()) {
      if (!f.complete) {
        throw bad(
          `the stream ended before the last chunk of ${f.path} (${f.received} of ${f.bytes.byteLength} bytes)`,
        );
      }
      files.push({ path: f.path, bytes: f.bytes });
    }
    const priority = header.options?.priority ?? '';
    const known = PRIORITIES.find((p) => p === priority);
    if (priority !== '' && !known) {
      throw new NonRetryableError(
        `priority: expected one of ${PRIORITIES.map((p) => `"${p}"`).join(', ')}, got ${JSON.stringify(priority.slice(0, 40))}`,
      );
    }
    return {
      fileName: header.fileName,
      jobText: header.jobText,
      fresh: header.options?.fresh ?? false,
      files,
      ...(known ? { priority: known } : {}),
    };
  }
}
