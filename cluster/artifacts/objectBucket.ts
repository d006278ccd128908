import { createHash } from 'node:crypto';
import type {
  DirectMsgRequest,
  JetStreamClient,
  JetStreamManager,
  MsgRequest,
  StoredMsg,
} from '@nats-io/jetstream';
import { Base64UrlPaddedCodec } from '@nats-io/obj';
import { nuid, type NatsConnection } from '@nats-io/transport-node';
import { ChorusError } from '../../core/errors.ts';

/**
 * An object's metadata as the NATS Object Store writes it on `$O.<bucket>.M.<name>`: the same JSON,
 * so that nats.js's ObjectStore and the `nats object` tool read what this writes, and the reverse.
 */
export interface ObjectMeta {
  name: string;
  description?: string;
  options?: { max_chunk_size?: number };
  bucket: string;
  /** The id its chunks are published under: `$O.<bucket>.C.<nuid>`. */
  nuid: string;
  size: number;
  chunks: number;
  mtime: string;
  /** `SHA-256=<base64url, padded>` of the bytes; empty for a deleted object. */
  digest: string;
  deleted?: boolean;
}

/** One metadata message: the object as of that revision (its stream sequence and server time). */
export interface ObjectRevision {
  meta: ObjectMeta;
  seq: number;
  time: Date;
}

/** The chunks of the revision being read went away: a writer replaced or deleted the object meanwhile. */
export class ObjectChunksGoneError extends ChorusError {
  constructor(
    message: string,
    /** The id of the revision that was being read. */
    readonly nuid: string,
  ) {
    super(message);
  }
}

const DIGEST_PREFIX = 'SHA-256=';

/**
 * A NATS Object Store bucket, read and written without the two operations that can remove any of
 * the stream's messages: a put publishes the chunks under a fresh id and then the metadata, with no
 * rollup header and no purge of the old chunks; a delete publishes a deleted marker. The stream
 * refuses rollup headers altogether (coordinator/nats/ensureResources.ts), and the coordinator purges
 * replaced revisions (coordinator/nats/artifactJanitor.ts). Reads use direct gets, one per chunk, so a
 * reader creates no consumer. This is what lets a worker's NATS user write artifacts without being
 * able to erase the bucket (docs/security.md, "The NATS side").
 */
export class ObjectBucket {
  readonly stream: string;
  /** Whether the stream serves direct gets, learnt at the first read. */
  private direct: Promise<boolean> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly bucket: string,
  ) {
    this.stream = `OBJ_${bucket}`;
  }

  /**
   * One stored message, by direct get when the stream allows it (a single server), else through the
   * stream's leader: on a replicated stream (coordinator/nats/ensureResources.ts turns direct gets off
   * there) a direct get may be answered by a copy that has not yet stored what was just written.
   */
  private async getMessage(query: DirectMsgRequest): Promise<StoredMsg | null> {
    this.direct ??= this.jsm.streams.info(this.stream).then((i) => i.config.allow_direct === true);
    const direct = await this.direct.catch((err: unknown) => {
      this.direct = undefined;
      throw err;
    });
    if (direct) return this.jsm.direct.getMessage(this.stream, query);
    // The server's STREAM.MSG.GET takes next_by_subj too (2.9+); nats.js types only seq and last_by_subj.
    return this.jsm.streams.getMessage(this.stream, query as MsgRequest);
  }

  metaSubject(name: string): string {
    return `$O.${this.bucket}.M.${Base64UrlPaddedCodec.encode(name)}`;
  }

  /** Every metadata subject: a filter. */
  get allMeta(): string {
    return `$O.${this.bucket}.M.>`;
  }

  chunkSubject(id: string): string {
    return `$O.${this.bucket}.C.${id}`;
  }

  /** The latest revision of `name`, deleted or not; null if there was never one. */
  async info(name: string): Promise<ObjectRevision | null> {
    const m = await this.getMessage({ last_by_subj: this.metaSubject(name) });
    return m ? revisionOf(m) : null;
  }

  /** Writes `bytes` as a new revision of `name`; the previous revision's chunks stay until the coordinator purges them. */
  async put(name: string, bytes: Uint8Array, maxChunkBytes: number): Promise<ObjectMeta> {
    if (name === '') throw new ChorusError('an object name cannot be empty');
    const chunk = Math.max(1, Math.min(maxChunkBytes, this.nc.info?.max_payload ?? 1024 * 1024));
    const id = nuid.next();
    const subject = this.chunkSubject(id);
    const hash = createHash('sha256');
    let chunks = 0;
    for (let at = 0; at < bytes.length; at += chunk) {
      const part = bytes.subarray(at, Math.min(bytes.length, at + chunk));
      hash.update(part);
      await this.js.publish(subject, part);
      chunks++;
    }
    const meta: ObjectMeta = {
      name,
      description: '',
      options: { max_chunk_size: chunk },
      bucket: this.bucket,
      nuid: id,
      size: bytes.length,
      chunks,
      mtime: new Date().toISOString(),
      digest: `${DIGEST_PREFIX}${Base64UrlPaddedCodec.encode(new Uint8Array(hash.digest()))}`,
      deleted: false,
    };
    await this.js.publish(this.metaSubject(name), JSON.stringify(meta));
    return meta;
  }

  /**
   * The bytes of the latest revision of `name`, or null if there is none (or it is deleted). Chunks
   * are fetched one direct get at a time, each the first message on the chunk subject after the
   * previous one; the SHA-256 digest is checked. A chunk missing part-way is ObjectChunksGoneError.
   */
  async read(name: string): Promise<{ revision: ObjectRevision; bytes: Uint8Array } | null> {
    const revision = await this.info(name);
    if (!revision || revision.meta.deleted) return null;
    const { meta } = revision;
    const out = new Uint8Array(meta.size);
    const hash = createHash('sha256');
    const subject = this.chunkSubject(meta.nuid);
    let at = 0;
    let seq = 0;
    while (at < meta.size) {
      const m = await this.getMessage({ seq, next_by_subj: subject });
      if (!m) {
        throw new ObjectChunksGoneError(
          `${name}: chunks end after ${at} of ${meta.size} bytes (the object was replaced or deleted while being read)`,
          meta.nuid,
        );
      }
      if (at + m.data.length > meta.size) {
        throw new ChorusError(
          `${name}: its chunks hold more than the ${meta.size} bytes its metadata declares`,
        );
      }
      out.set(m.data, at);
      hash.update(m.data);
      at += m.data.length;
      seq = m.seq + 1;
    }
    const digest = `${DIGEST_PREFIX}${Base64UrlPaddedCodec.encode(new Uint8Array(hash.digest()))}`;
    if (digest !== meta.digest) {
      throw new ObjectChunksGoneError(
        `${name}: the chunks read do not match the object's SHA-256 digest`,
        meta.nuid,
      );
    }
    return { revision, bytes: out };
  }

  /** Publishes a deleted marker (keeping the id, so the coordinator knows which chunks to purge); false if there was nothing to delete. */
  async markDeleted(name: string): Promise<boolean> {
    const revision = await this.info(name);
    if (!revision || revision.meta.deleted) return false;
    const marker: ObjectMeta = {
      ...revision.meta,
      size: 0,
      chunks: 0,
      digest: '',
      mtime: new Date().toISOString(),
      deleted: true,
    };
    await this.js.publish(this.metaSubject(name), JSON.stringify(marker));
    return true;
  }

  /**
   * The latest revision of every object that is not deleted: the stream's metadata subjects (stream
   * info filtered to them), then one direct get each. It reads the whole bucket's metadata.
   */
  async list(): Promise<ObjectMeta[]> {
    const pending = (await this.jsm.streams.info(this.stream, { subjects_filter: this.allMeta })).state
      .subjects;
    const subjects = Object.keys(pending ?? {});
    const out: ObjectMeta[] = [];
    for (const subject of subjects) {
      const m = await this.getMessage({ last_by_subj: subject });
      const meta = m ? parseObjectMeta(m.data) : undefined;
      if (meta && !meta.deleted) out.push(meta);
    }
    return out;
  }
}

/** The metadata a message holds, or undefined when it is not Object Store metadata. */
export function parseObjectMeta(data: Uint8Array): ObjectMeta | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Partial<ObjectMeta>;
  if (typeof m.name !== 'string' || typeof m.nuid !== 'string' || typeof m.size !== 'number')
    return undefined;
  if (typeof m.digest !== 'string' || !Number.isSafeInteger(m.size) || m.size < 0) return undefined;
  return m as ObjectMeta;
}

function revisionOf(m: StoredMsg): ObjectRevision {
  const meta = parseObjectMeta(m.data);
  if (!meta) throw new ChorusError(`${m.subject}: not Object Store metadata`);
  return { meta, seq: m.seq, time: m.time };
}
