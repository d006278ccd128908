import { percent } from '../../core/report/format.ts';
import type { Report } from '../../core/report/report.ts';

const METHOD_NAMES = { hard: 'hard voting', soft: 'soft voting', stacking: 'stacking' } as const;

/**
 * One sentence with the result that matters, e.g. "soft voting: 97.80% vs best member 97.10% vs mean
 * member 96.50%; best distilled student 96.90% vs baseline 96.00% (recovers 62% of the gap to the teacher's 97.80%)".
 */
export function summaryLine(report: Report): string {
  const parts: string[] = [];
  const methods = (['hard', 'soft', 'stacking'] as const).flatMap((key) => {
    const scores = report.ensemble[key];
    return scores ? [{ name: METHOD_NAMES[key], accuracy: scores.accuracy }] : [];
  });
  // The best method leads; ties keep the listed order (soft before stacking, hard first).
  const top = methods.reduce<(typeof methods)[number] | undefined>(
    (a, b) => (a === undefined || b.accuracy > a.accuracy ? b : a),
    undefined,
  );
  const bestMember = report.members.find((m) => m.name === report.bestMember);
  const memberPart = `best member ${percent(bestMember?.accuracy ?? 0)} vs mean member ${percent(report.meanMember.accuracy)}`;
  parts.push(top ? `${top.name}: ${percent(top.accuracy)} vs ${memberPart}` : memberPart);

  const d = report.distillation;
  if (d) {
    let text = `best distilled student ${percent(d.bestAccuracy)}`;
    if (d.baselineAccuracy !== undefined) {
      text += ` vs baseline ${percent(d.baselineAccuracy)}`;
      text += ` (${distillationGain(d.bestAccuracy, d.baselineAccuracy, d.gapRecovered, report.teacher.accuracy)})`;
    } else {
      text += ` (teacher ${percent(report.teacher.accuracy)})`;
    }
    parts.push(text);
  } else {
    const baseline = report.students.find((s) => s.kind === 'baseline');
    if (baseline) parts.push(`baseline student ${percent(baseline.accuracy)}`);
  }
  return parts.join('; ');
}

/**
 * What distillation bought, in words that stay true when it bought nothing: the share of the gap to
 * the teacher recovered, or how far below the baseline the student ended (never a negative share).
 */
function distillationGain(
  best: number,
  baseline: number,
  gapRecovered: number | undefined,
  teacher: number,
): string {
  if (best < baseline) {
    return `below the baseline by ${((baseline - best) * 100).toFixed(2)} points; teacher ${percent(teacher)}`;
  }
  if (gapRecovered === undefined) return `teacher ${percent(teacher)}`;
  return `recovers ${Math.round(gapRecovered * 100)}% of the gap to the teacher's ${percent(teacher)}`;
}
