import { settleWithin } from '../../cluster/nats/closeNats.ts';
import type { CoordinatorService } from '../distributed/coordinatorService.ts';
import type { CoordinatorLease } from './coordinatorLease.ts';
import type { LeaderGate } from './leaderGate.ts';

/** One term of leadership: the service that runs the jobs, and how to stop it. */
export interface Term {
  service: CoordinatorService;
  /** Stops scheduling; jobs stay `running` in KV for the next leader. */
  stop(): Promise<void>;
}

export interface LeadershipOptions {
  lease: CoordinatorLease;
  gate: LeaderGate;
  /** Starts a term's service, its writes fenced by the lease (resumes the jobs left running). */
  startTerm(token: number): Promise<Term>;
  /** Called when this process starts and stops leading (readiness, logs). */
  onChange?(leading: boolean): void;
  /** The most stopping a term may take (NATS may be unreachable). */
  stopBudgetMs: number;
  log: (line: string) => void;
}

/**
 * The coordinator's life as leader or standby: wait for the lease, lead (renewing it while the
 * term's service runs the jobs), and when the lease is lost stop the service and stand by again.
 */
export class Leadership {
  private readonly o: LeadershipOptions;
  private readonly stopping = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private leading = false;
  private stopBudgetMs: number;

  constructor(options: LeadershipOptions) {
    this.o = options;
    this.stopBudgetMs = options.stopBudgetMs;
  }

  isLeading(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop = this.run().catch((err: unknown) => this.o.log(`leadership: ${String(err)}`));
  }

  /** Stops leading or standing by; a leader's jobs stay `running` for the next one, and it gives the lease up. */
  async stop(budgetMs?: number): Promise<void> {
    if (budgetMs !== undefined) this.stopBudgetMs = budgetMs;
    this.stopping.abort(new Error('shutting down'));
    await this.loop;
  }

  private async run(): Promise<void> {
    const { lease, gate, log } = this.o;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let token: number;
      try {
        token = await lease.acquire(signal, log);
      } catch {
        return; // stopping while standing by
      }
      // Renewals start at once: resuming many jobs may take longer than a lease.
      const term = new AbortController();
      let running: Term | undefined;
      // While the lease is lapsed, clients are told to look elsewhere; the term's own writes are refused.
      const held = lease.hold(AbortSignal.any([signal, term.signal]), log, {
        onLapse: () => gate.close(),
        onRegain: () => {
          if (running) gate.open(running.service);
        },
      });
      log(`leading (fencing token ${token})`);
      try {
        running = await this.o.startTerm(token);
        gate.open(running.service);
        this.leading = true;
        this.o.onChange?.(true);
      } catch (err) {
        log(`could not start leading: ${String(err)}`);
        term.abort();
      }
      const why = await held;
      this.leading = false;
      gate.close();
      this.o.onChange?.(false);
      if (running && !(await settleWithin(running.stop(), this.stopBudgetMs))) {
        log('stepping down: scheduling did not stop in time; its writes are refused (fenced)');
      }
      if (signal.aborted) {
        await lease.release();
        return;
      }
      if (why === 'stopped') {
        // The term could not start: let a standby try, and try again later.
        await lease.release();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      log('standing by (the lease was lost)');
    }
  }
}
