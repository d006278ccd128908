/** What /readyz answers: ready, or not with a reason a person can act on. */
export type Readiness = { ready: true } | { ready: false; reason: string };

/** One named condition: true when met; a string explains why it is not (false gives a generic reason). */
export type ReadinessCheck = () => boolean | string | Promise<boolean | string>;

/**
 * Combines named checks into an `isReady` for the metrics server, e.g.
 * `readinessOf({ nats: () => !nc.isClosed(), grpc: () => serving })` on the coordinator.
 * Every check runs, so the reason lists all that fail; a check that throws counts as failed.
 */
export function readinessOf(checks: Record<string, ReadinessCheck>): () => Promise<Readiness> {
  return async () => {
    const problems: string[] = [];
    for (const [name, check] of Object.entries(checks)) {
      let result: boolean | string;
      try {
        result = await check();
      } catch (err) {
        result = `check failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (result === true) continue;
      problems.push(result === false ? `${name} is not ready` : `${name}: ${result}`);
    }
    return problems.length === 0 ? { ready: true } : { ready: false, reason: problems.join('; ') };
  };
}
