/**
 * A worker's hold on one JetStream delivery of a task. JetStream hands a message to another worker
 * once AckWait passes without an ack or a `working()` heartbeat from the holder, and it does not tell
 * deliveries apart: an ack, nak or term sent on the superseded delivery acts on the message, that is
 * on the new holder's delivery (measured on nats-server 2.9.10: a stale nak has the message
 * delivered a third time while the second delivery still runs; a stale ack takes it off the work
 * queue). A worker cut off from NATS for AckWait has therefore lost the task, and must stop it and
 * send nothing on that delivery, even once its link is back.
 *
 * The lease counts from the last heartbeat known to have reached the server (a flush sent after it
 * came back), less a margin for the time an ack takes to arrive.
 */
export class DeliveryLease {
  private confirmedAt: number;
  private expired = false;

  /** `startedAt`: when the delivery arrived (the server's AckWait started a little before). */
  constructor(
    readonly ackWaitMs: number,
    startedAt: number,
    private readonly now: () => number = Date.now,
  ) {
    this.confirmedAt = startedAt;
  }

  /**
   * A heartbeat sent at `sentAt` is known, now, to have reached the server. Known too late (the
   * lease had run out before the proof came back: e.g. sent into a cut link, delivered when it
   * healed) it proves nothing: the server may have redelivered before it arrived.
   */
  confirm(sentAt: number): void {
    if (this.lost()) return;
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
  }

  /** Milliseconds since the last heartbeat known to have reached the server was sent. */
  silentMs(): number {
    return this.now() - this.confirmedAt;
  }

  /** True once JetStream may have handed the delivery to another worker; stays true. */
  lost(): boolean {
    this.expired ||= this.silentMs() >= this.ackWaitMs - Math.min(1000, this.ackWaitMs / 10);
    return this.expired;
  }
}
