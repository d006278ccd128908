import { collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';

const withDefaults = new WeakSet<Registry>();

/**
 * Registers prom-client's default process and Node.js metrics (CPU, memory, event-loop lag, GC)
 * once per registry: embedded mode puts coordinator and worker metrics on one registry, and a
 * second `collectDefaultMetrics` on it would throw on the duplicate names. The defaults keep
 * their standard, unprefixed names so that stock dashboards and alerts work on them.
 */
export function ensureDefaultMetrics(registry: Registry): void {
  if (withDefaults.has(registry)) return;
  withDefaults.add(registry);
  collectDefaultMetrics({ register: registry });
  // Gauges named `_total` break the Prometheus naming rules (promtool check metrics rejects them);
  // each is only the sum of the per-type `nodejs_active_*` gauges that stay.
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
}

const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];
