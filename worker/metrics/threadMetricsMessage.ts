/**
 * What a pool thread sends its process about the training it does, next to its `progress` messages:
 * prom-client registries do not cross threads, so threads send numbers and the main thread applies
 * them to its registry (`WorkerMetrics.applyThreadMetrics`).
 */
export interface ThreadMetricsMessage {
  type: 'metrics';
  /** Samples trained since the previous message. */
  samples: number;
  /** Seconds of each training step since the previous message (histogram observations). */
  stepSeconds: number[];
  /** Loss of the latest step. */
  loss?: number;
  /** Bytes held by this thread's tfjs tensors (`tf.memory().numBytes`). */
  tfMemoryBytes?: number;
}

const nonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Checks a message from another thread before it touches the registry. */
export function isThreadMetricsMessage(value: unknown): value is ThreadMetricsMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    m.type === 'metrics' &&
    nonNegative(m.samples) &&
    Array.isArray(m.stepSeconds) &&
    m.stepSeconds.every(nonNegative) &&
    (m.loss === undefined || (typeof m.loss === 'number' && Number.isFinite(m.loss))) &&
    (m.tfMemoryBytes === undefined || nonNegative(m.tfMemoryBytes))
  );
}
