import { Objm, setSha256Backend } from '@nats-io/obj';
import type { ObjectStore } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { ArtifactNotFoundError, ChorusError } from '../../core/errors.ts';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.ts';

export interface NatsArtifactStoreOptions {
  /**
   * Largest chunk an object is cut into (clamped by the client to the server's max_payload).
   * Bigger chunks mean fewer sequential publishes: 1 MiB puts 20 MiB about twice as fast as the
   * client's 128 KiB default.
   */
  maxChunkBytes?: number;
  /** How often a slow read checks whether its object was replaced under it (default 1 s). */
  staleCheckMs?: number;
}

const DEFAULT_CHUNK = 1024 * 1024;
const READ_RETRIES = 5;

/** An object as `list` describes it. */
export interface StoredObject {
  key: string;
  size: number;
  /** Lowercase hex. */
  sha256: string | undefined;
}

/** The Object Store's digest (`SHA-256=<base64url>`) as hex, or undefined for any other form. */
function sha256OfDigest(digest: string): string | undefined {
  if (!digest.startsWith('SHA-256=')) return undefined;
  const bytes = Buffer.from(digest.slice('SHA-256='.length), 'base64url');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

/** The read lost a race with a writer replacing the object; read again. */
class ReplacedWhileReading extends ChorusError {}

/**
 * Artifacts in a NATS Object Store bucket (distributed mode), under a name prefix (`<jobId>/`).
 *
 * Atomicity: the Object Store writes an object's chunks under a fresh id, then publishes its
 * metadata (a subject rollup), and only then purges the old chunks. So a reader that starts after
 * the metadata sees the new bytes, and one that started before reads the old chunks, unless they
 * are purged under it: then the SHA-256 check fails or no chunk ever arrives. `get` detects both
 * (the object's id changed) and reads again, so callers see the old bytes or the new, never a mix.
 */
export class NatsArtifactStore implements ArtifactStore {
  readonly prefix: string;
  private readonly os: ObjectStore;
  private readonly ownConnection: NatsConnection | undefined;
  private readonly maxChunk: number;
  private readonly staleCheckMs: number;
  private replaced = 0;

  constructor(
    os: ObjectStore,
    prefix: string,
    options: NatsArtifactStoreOptions = {},
    ownConnection?: NatsConnection,
  ) {
    if (prefix !== '' && !prefix.endsWith('/')) {
      throw new ChorusError(`artifact prefix must end with "/": ${JSON.stringify(prefix)}`);
    }
    // The Object Store hashes every chunk put and got (SHA-256). Its default is a pure-JS hash that took
    // a seventh of a distributed training task's thread time (checkpoints each epoch); node:crypto's is
    // native. The setting is per module instance, i.e. per thread, and idempotent.
    setSha256Backend('native');
    this.os = os;
    this.prefix = prefix;
    this.maxChunk = options.maxChunkBytes ?? DEFAULT_CHUNK;
    this.staleCheckMs = options.staleCheckMs ?? 1000;
    this.ownConnection = ownConnection;
  }

  /**
   * A store on its own connection: a worker thread cannot share its parent's socket. It keeps
   * reconnecting forever, so a restarted nats-server does not fail a running task. `close()` it.
   */
  static async connectForThread(
    servers: string | string[],
    bucket: string,
    prefix: string,
    options: NatsArtifactStoreOptions = {},
  ): Promise<NatsArtifactStore> {
    const nc = await connect({ servers, name: 'chorus-artifacts', maxReconnectAttempts: -1 });
    try {
      const os = await new Objm(nc).open(bucket);
      return new NatsArtifactStore(os, prefix, options, nc);
    } catch (err) {
      await nc.close();
      throw new ChorusError(`cannot open the object store ${bucket} at ${String(servers)}`, { cause: err });
    }
  }

  /** The object name of a key; rejects keys that could escape the prefix or look like folders. */
  nameOf(key: string): string {
    if (
      key === '' ||
      key.startsWith('/') ||
      key.endsWith('/') ||
      key.split('/').some((p) => p === '..' || p === '')
    ) {
      throw new ChorusError(`invalid artifact key: ${JSON.stringify(key)}`);
    }
    return `${this.prefix}${key}`;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.os.putBlob({ name: this.nameOf(key), options: { max_chunk_size: this.maxChunk } }, bytes);
  }

  async get(key: string): Promise<Uint8Array> {
    const name = this.nameOf(key);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.readOnce(key, name);
      } catch (err) {
        if (!(err instanceof ReplacedWhileReading) || attempt >= READ_RETRIES) throw err;
        this.replaced++;
      }
    }
  }

  /** Reads that lost a race with a replacing writer and were retried (for metrics and tests). */
  get replacedReads(): number {
    return this.replaced;
  }

  async has(key: string): Promise<boolean> {
    const info = await this.os.info(this.nameOf(key));
    return info !== null && !info.deleted;
  }

  async delete(key: string): Promise<void> {
    const name = this.nameOf(key);
    const info = await this.os.info(name);
    if (info !== null && !info.deleted) await this.os.delete(name);
  }

  /** Removes the key itself and every key under `prefix/`; lists the whole bucket (see ArtifactStore). */
  async deletePrefix(prefix: string): Promise<void> {
    const base = this.nameOf(prefix);
    const doomed = (await this.os.list()).filter(
      (o) => !o.deleted && (o.name === base || o.name.startsWith(`${base}/`)),
    );
    for (const o of doomed) await this.os.delete(o.name);
  }

  /**
   * Every object under this store's prefix, with its size and SHA-256 (hex, from the Object Store's
   * digest; undefined if that is not a SHA-256). Lists the whole bucket (see deletePrefix): not for
   * hot paths.
   */
  async list(): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    for (const o of await this.os.list()) {
      if (o.deleted || !o.name.startsWith(this.prefix)) continue;
      out.push({ key: o.name.slice(this.prefix.length), size: o.size, sha256: sha256OfDigest(o.digest) });
    }
    return out;
  }

  /** Closes the connection if this store opened it (connectForThread); otherwise does nothing. */
  async close(): Promise<void> {
    if (this.ownConnection && !this.ownConnection.isClosed()) await this.ownConnection.drain();
  }

  private async readOnce(key: string, name: string): Promise<Uint8Array> {
    const result = await this.os.get(name);
    if (result === null) throw new ArtifactNotFoundError(key);
    const { nuid } = result.info;
    // Awaited below on the normal path; this only keeps a failed read from being an unhandled rejection.
    result.error.catch(() => {});
    const reader = result.data.getReader();
    let replaced = false;
    // A purge under a reader can leave it waiting forever for chunks: watch for a replacement.
    const watch = setInterval(() => {
      void this.os.info(name).then(
        (now) => {
          if (now === null || now.deleted || now.nuid !== nuid) {
            replaced = true;
            void reader.cancel();
          }
        },
        () => {},
      );
    }, this.staleCheckMs);
    try {
      const parts: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        size += value.length;
      }
      const failure = await result.error;
      if (replaced) throw new ReplacedWhileReading(`${name} was replaced while being read`);
      if (failure) throw failure;
      // The client hands out Buffers; callers get plain Uint8Arrays (views, no copy), as from FsArtifactStore.
      const only = parts.length === 1 ? parts[0] : undefined;
      if (only) return new Uint8Array(only.buffer, only.byteOffset, only.byteLength);
      const out = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    } catch (err) {
      if (err instanceof ReplacedWhileReading) throw err;
      const failed = new ChorusError(`cannot read artifact ${key} from the object store`, { cause: err });
      // A digest mismatch or a cut stream is a lost race if the object has a new id (or is gone) by now.
      let now;
      try {
        now = await this.os.info(name);
      } catch {
        throw failed;
      }
      if (now === null || now.deleted) throw new ArtifactNotFoundError(key);
      if (now.nuid !== nuid) {
        throw new ReplacedWhileReading(`${name} was replaced while being read`, { cause: err });
      }
      throw failed;
    } finally {
      clearInterval(watch);
    }
  }
}
