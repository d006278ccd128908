import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Whether a NATS connection is up now, followed from its status events. nats.js reconnects on its
 * own and only fails a request once it times out; an answer built from memory (the worker roster)
 * would meanwhile look current. Answers that must not be stale ask this first.
 */
export class NatsConnectionState {
  private up = true;

  constructor(private readonly nc: NatsConnection) {
    // A status stream that ends or fails leaves the last state known (isClosed still counts).
    this.follow().catch(() => undefined);
  }

  get connected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  private async follow(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') this.up = false;
      else if (s.type === 'reconnect') this.up = true;
    }
  }
}
