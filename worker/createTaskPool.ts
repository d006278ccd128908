import { planPool, type PoolPlacementOptions, type PoolPlan } from './poolPlacement.ts';
import { ProcessPool } from './processPool/processPool.ts';
import type { TaskPool } from './taskPool.ts';
import { ThreadPool } from './threadPool.ts';

/** The pool the placement asks for: piscina threads, or child processes placed on GPUs. */
export function createTaskPool(options: PoolPlacementOptions): { pool: TaskPool; plan: PoolPlan } {
  const plan = planPool(options);
  const pool = plan.isolation === 'process' ? new ProcessPool(plan.children) : new ThreadPool(plan.slots);
  return { pool, plan };
}
