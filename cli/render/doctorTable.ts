import type { DoctorResult } from '../../worker/doctor/runDoctor.ts';

const MARK = { ok: 'ok', missing: '--', fail: 'FAIL', info: '..' } as const;

/** `chorus doctor`'s report: one line per finding, its mark first. */
export function renderDoctor(result: DoctorResult): string {
  const width = Math.max(...result.checks.map((c) => c.name.length));
  const lines = result.checks.map((c) => `${MARK[c.status].padEnd(4)} ${c.name.padEnd(width)}  ${c.detail}`);
  return `${lines.join('\n')}\n`;
}
