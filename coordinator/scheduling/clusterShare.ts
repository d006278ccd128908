import type { NatsConnection } from '@nats-io/transport-node';
import { encodeMessage } from '../../cluster/messages/codec.ts';
import { yieldRequestSchema } from '../../cluster/messages/yieldRequest.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { COORDINATOR_DEFAULTS } from '../distributed/coordinatorDefaults.ts';
import type { SchedulingOptions } from './schedulingOptions.ts';
import { SlotScheduler } from './slotScheduler.ts';
import { WorkerRoster } from './workerRoster.ts';

export interface ClusterShareOptions {
  nc: NatsConnection;
  resources: NatsResources;
  scheduling?: Partial<SchedulingOptions>;
  /** A client's quota as the tokens file says now (see SlotScheduler). */
  quotaOf?: (client: string) => number | undefined;
  log: (line: string) => void;
}

/** The coordinator's view of the workers and its share of them between jobs, wired together. */
export interface ClusterShare {
  /** The connected workers and what they run, from their heartbeats. */
  roster: WorkerRoster;
  /** Which job's task goes to the work queue next. */
  slots: SlotScheduler;
}

/**
 * A roster that re-runs the scheduler on every change of the workers, and a scheduler whose yield
 * requests go out on core NATS to whichever worker runs the dispatch (one that misses it runs on).
 */
export function clusterShare(o: ClusterShareOptions): ClusterShare {
  const scheduling = { ...COORDINATOR_DEFAULTS.scheduling, ...o.scheduling };
  const { names } = o.resources;
  // The roster tells the scheduler of every change; the scheduler reads the roster.
  const onChange = { pump: () => {} };
  const roster = new WorkerRoster({
    kv: o.resources.workers,
    names,
    staleMs: o.resources.options.workersTtlMs,
    onChange: () => onChange.pump(),
    log: o.log,
  });
  const slots = new SlotScheduler({
    workers: roster,
    agingMs: scheduling.agingSeconds * 1000,
    preempt: scheduling.preempt,
    ...(o.quotaOf ? { quotaOf: o.quotaOf } : {}),
    askToYield: (task, reason) => {
      try {
        const request = yieldRequestSchema.parse({ ...task, reason });
        o.nc.publish(names.yieldSubject(request.jobId), encodeMessage(request));
      } catch (err) {
        o.log(`asking ${task.taskId} to yield: ${String(err)}`);
      }
    },
    log: o.log,
  });
  onChange.pump = () => slots.pump();
  return { roster, slots };
}
