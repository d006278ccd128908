/** Targets of the load section, from the hardening and distributed issues. */

/** The coordinator's event loop must not stall longer than this under load (ms). */
export const LAG_TARGET_MS = 100;
/** Median time from a task's publication to its start on an idle worker, on loopback (ms). */
export const DISPATCH_TARGET_MS = 50;
