import type { NatsConnection } from '@nats-io/transport-node';
import type { ReadinessCheck } from './readiness.ts';

/**
 * A readiness check that follows a NATS connection: not ready while it is disconnected (nats.js
 * reconnects on its own, and the check turns ready again when it has) or once it is closed.
 */
export function natsConnectionCheck(nc: NatsConnection): ReadinessCheck {
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      else if (status.type === 'reconnect') connected = true;
    }
  })().catch(() => undefined);
  return () => {
    if (nc.isClosed()) return 'the NATS connection is closed';
    return connected || 'disconnected from NATS, reconnecting';
  };
}
