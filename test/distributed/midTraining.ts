import type { Cluster } from '../support/chorusCluster.ts';

/** Until a member of the job is training its second epoch (or later): the moment tests break things. */
export function midTraining(cluster: Cluster, jobId: string): Promise<unknown> {
  return cluster.waitForEvent(
    jobId,
    (e) => e.type === 'task-progress' && e.id.startsWith('train:') && (e.progress.epoch ?? 0) >= 2,
    'a member to reach epoch 2',
  );
}
