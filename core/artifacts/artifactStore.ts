/**
 * Where tasks keep their bulk outputs (models, predictions, soft labels, checkpoints).
 * Keys are `/`-separated relative paths such as `models/members/mlp-0/model.json`.
 * Implementations: filesystem (embedded mode), NATS Object Store (distributed mode).
 */
export interface ArtifactStore {
  /** Stores bytes under key, atomically: readers see the old value or the new, never a mix. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes under key; throws ArtifactNotFoundError when absent. */
  get(key: string): Promise<Uint8Array>;
  has(key: string): Promise<boolean>;
  /** Removes one key; an absent key is not an error. Cheap in every store: prefer it for known keys. */
  delete(key: string): Promise<void>;
  /**
   * Removes every key under a prefix, like removing a folder. The NATS Object Store cannot list by
   * prefix, so there it reads the metadata of every object in the bucket: not for hot paths.
   */
  deletePrefix(prefix: string): Promise<void>;
}
