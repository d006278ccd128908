/**
 * Which running task gives its slot back for a higher-priority one (`chorus coordinator --preempt`),
 * as a pure function (docs/distributed.md, "Preemption"): only when every connected slot is busy and
 * some task of a higher class waits; then the lowest-priority task, the most recently started of
 * those, one per waiting task that outranks it.
 */

/** A task running on a worker, as the preemption rule sees it. */
export interface RunningTask {
  dispatchId: string;
  jobId: string;
  taskId: string;
  /** The rank it was dispatched with (its class, or higher when aging got it its slot). */
  rank: number;
  /** When it started on its worker (ms). */
  startedAt: number;
  /** Already asked to yield, not yet gone. */
  yielding: boolean;
}

export interface PreemptionState {
  /** Connected worker slots (draining workers' excluded). */
  slots: number;
  running: readonly RunningTask[];
  /**
   * Tasks that wait for a slot, counted by the rank of their job's class (index: rank): those the
   * coordinator holds back, and those on the work queue that no worker has taken yet.
   */
  waitingByRank: readonly number[];
}

/** The task to ask to yield now, or undefined. */
export function chooseVictim(state: PreemptionState): RunningTask | undefined {
  // A free slot will take the waiting task without anyone giving way.
  if (state.running.length < state.slots) return undefined;
  const candidates = state.running.filter((t) => !t.yielding);
  if (candidates.length === 0) return undefined;
  const lowest = Math.min(...candidates.map((t) => t.rank));
  let outranking = 0;
  state.waitingByRank.forEach((n, rank) => {
    if (rank > lowest) outranking += n;
  });
  // One yield per waiting task that outranks the lowest running one; those asked already count.
  const asked = state.running.filter((t) => t.yielding).length;
  if (outranking <= asked) return undefined;
  let victim: RunningTask | undefined;
  for (const t of candidates) {
    if (t.rank !== lowest) continue;
    if (
      !victim ||
      t.startedAt > victim.startedAt ||
      (t.startedAt === victim.startedAt && t.dispatchId > victim.dispatchId)
    )
      victim = t;
  }
  return victim;
}
