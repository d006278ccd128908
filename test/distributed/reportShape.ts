/**
 * The structure of a JSON value without its numbers and strings: objects as their sorted keys (each
 * with its value's shape), arrays element by element. Two reports of the same job have equal shapes
 * whatever their timings.
 */
export type Shape = string | Shape[] | { [key: string]: Shape };

export function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const out: { [key: string]: Shape } = {};
    for (const key of Object.keys(value).sort()) out[key] = shapeOf((value as Record<string, unknown>)[key]);
    return out;
  }
  return typeof value;
}

/** A report without what depends on the machine's speed: creation time, timings, `*Seconds` fields. */
export function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'createdAt' || key === 'timing' || /seconds$/i.test(key)) continue;
    out[key] = withoutTimings(v);
  }
  return out;
}
