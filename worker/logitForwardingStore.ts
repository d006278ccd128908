import type { ArtifactStore } from '../core/artifacts/artifactStore.ts';
import type { DataPlaneConnection } from '../cluster/client/dataPlaneConnection.ts';
import { float32View } from '../core/artifacts/float32.ts';
import { NonRetryableError } from '../core/errors.ts';

export interface LogitOrigin {
  jobId: string;
  taskId: string;
  dispatchId: string;
  /** Columns of every logit array (the job's classes). */
  classes: number;
}

/**
 * The distributed mode's artifact store as tasks see it: `predictions/…` (logit arrays) go to the
 * coordinator over the gRPC data plane — it stores them and aggregates as they arrive — and
 * everything else goes to the Object Store. Reads all come from the Object Store.
 */
export class LogitForwardingStore implements ArtifactStore {
  constructor(
    private readonly objects: ArtifactStore,
    private readonly plane: DataPlaneConnection,
    private readonly origin: LogitOrigin,
  ) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    if (!key.startsWith('predictions/')) return this.objects.put(key, bytes);
    if (bytes.byteLength % 4 !== 0) {
      throw new NonRetryableError(`logits ${key}: ${bytes.byteLength} bytes are not whole float32 values`);
    }
    // A view, not a copy: the array is streamed and not kept.
    const values = float32View(bytes);
    const cols = this.origin.classes;
    await this.plane.putLogits({
      jobId: this.origin.jobId,
      taskId: this.origin.taskId,
      dispatchId: this.origin.dispatchId,
      key,
      split: /\/(train|validation|test)\.f32$/.exec(key)?.[1] ?? 'test',
      rows: values.length / cols,
      cols,
      values,
    });
  }

  get(key: string): Promise<Uint8Array> {
    return this.objects.get(key);
  }

  has(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  delete(key: string): Promise<void> {
    return this.objects.delete(key);
  }

  deletePrefix(prefix: string): Promise<void> {
    return this.objects.deletePrefix(prefix);
  }
}
