import { ChorusError, NonRetryableError } from '../errors.ts';

/**
 * Fault injection for tests of retries and recovery, driven by the `CHORUS_FAULTS` environment
 * variable: comma-separated rules `<kind>@<task id>[#<attempt>]`, e.g. `crash@train:mlp-1#1`.
 *   crash — the worker thread exits abruptly (as on an out-of-memory kill)
 *   fail  — the task throws a retryable error
 *   bad   — the task throws a NonRetryableError (bad input)
 * Without `#attempt` the rule applies to every attempt. Unset in normal use: then this does nothing.
 */
export interface FaultRule {
  kind: 'crash' | 'fail' | 'bad';
  taskId: string;
  attempt?: number;
}

export function parseFaultRules(text: string | undefined): FaultRule[] {
  if (!text) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((rule) => {
      const m = /^(crash|fail|bad)@([^#]+)(?:#(\d+))?$/.exec(rule);
      if (!m)
        throw new ChorusError(`CHORUS_FAULTS: cannot parse rule "${rule}" (expected kind@taskId[#attempt])`);
      const [, kind, taskId, attempt] = m;
      return {
        kind: kind as FaultRule['kind'],
        taskId: taskId ?? '',
        ...(attempt ? { attempt: Number(attempt) } : {}),
      };
    });
}

/** Applies the first rule matching this task attempt, if any. */
export function injectFault(
  taskId: string,
  attempt: number,
  rules = parseFaultRules(process.env.CHORUS_FAULTS),
): void {
  const rule = rules.find((r) => r.taskId === taskId && (r.attempt === undefined || r.attempt === attempt));
  if (!rule) return;
  switch (rule.kind) {
    case 'crash':
      process.exit(70);
      break;
    case 'fail':
      throw new ChorusError(`injected failure of ${taskId} (attempt ${attempt})`);
    case 'bad':
      throw new NonRetryableError(`injected bad input in ${taskId} (attempt ${attempt})`);
  }
}
