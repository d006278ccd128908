import { temperature } from '../core/report/format.ts';
import type { Report, StudentReport } from '../core/report/report.ts';
import { NONE, escapeMd, markdownTable, num4, pct, seconds, setting } from './formatResults.ts';
import { seedGroupSection } from './seedGroups.ts';

/** One experiment of docs/RESULTS.md: a job file and the report its run wrote. */
export interface ResultsExperiment {
  /** As typed on the command line, e.g. `examples/results/fashion-cnn10.yaml`. */
  jobFile: string;
  title: string;
  report: Report;
}

export interface ResultsMeta {
  machine: string;
  date: string;
  /** Markdown inserted verbatim before the tables. */
  intro?: string;
  /** Markdown inserted verbatim after the tables. */
  discussion?: string;
  /** Job files whose run has not written a report yet: named under the tables. */
  notRun?: readonly string[];
}

/** docs/RESULTS.md: an ensemble table over all experiments, a distillation table per experiment, how to rerun. */
export function renderResults(experiments: readonly ResultsExperiment[], meta: ResultsMeta): string {
  const backends = [...new Set(experiments.map((e) => e.report.backend))].join(', ');
  const out: string[] = [
    '# Results',
    '',
    `Machine: ${escapeMd(meta.machine)}. Date: ${escapeMd(meta.date)}.` +
      (backends ? ` tfjs backend: ${escapeMd(backends)}.` : ''),
    '',
  ];
  if (meta.intro) out.push(meta.intro.trim(), '');
  out.push(...ensembleSection(experiments));
  out.push(...seedGroupSection(experiments));
  const distilled = experiments.filter((e) => e.report.students.length > 0);
  if (distilled.length > 0) out.push(...distillationSection(distilled));
  if (meta.notRun !== undefined && meta.notRun.length > 0) {
    out.push(
      `Not run yet, so not in the tables: ${meta.notRun.map((f) => `\`${escapeMd(f)}\``).join(', ')}.`,
      '',
    );
  }
  out.push(...reproduceSection(experiments));
  if (meta.discussion) out.push(meta.discussion.trim(), '');
  return out.join('\n');
}

function ensembleSection(experiments: readonly ResultsExperiment[]): string[] {
  const columns = [
    'Experiment',
    'Train / val / test',
    'Members',
    'Best member',
    'Mean member',
    'Hard vote',
    'Soft acc.',
    'Soft NLL',
    'Soft ECE',
    'Calibrated acc.',
    'Calibrated NLL',
    'Calibrated ECE',
    'Fitted T',
    'Stacking',
    'Wall s',
  ];
  const rows = experiments.map(({ title, report: r }) => {
    const d = r.dataset;
    const soft = r.ensemble.soft;
    const cal = soft?.calibrated;
    return [
      escapeMd(title),
      `${d.train} / ${d.validation} / ${d.test}`,
      String(r.members.length),
      pct(r.members.find((m) => m.name === r.bestMember)?.accuracy),
      pct(r.meanMember.accuracy),
      pct(r.ensemble.hard?.accuracy),
      pct(soft?.accuracy),
      num4(soft?.nll),
      num4(soft?.ece),
      pct(cal?.accuracy),
      num4(cal?.nll),
      num4(cal?.ece),
      cal ? temperature(cal.temperature) : NONE,
      pct(r.ensemble.stacking?.accuracy),
      seconds(r.timing.wallSeconds),
    ];
  });
  return [
    '## Ensembles',
    '',
    markdownTable(columns, rows, 2),
    '',
    'Scores on the test split: accuracy, NLL in nats, ECE over 15 confidence bins. "Calibrated" is the soft vote ' +
      'after temperature scaling with T fitted on the validation split (it never changes the accuracy); ' +
      `${NONE} marks a method the job did not run. Wall s: the whole run, training included.`,
    '',
  ];
}

function distillationSection(experiments: readonly ResultsExperiment[]): string[] {
  const columns = ['Student', 'T', 'alpha', 'Accuracy', 'NLL', 'ECE', 'Agreement with teacher', 'Train s'];
  const out = ['## Distillation', ''];
  for (const { title, report } of experiments) {
    const rows = orderStudents(report.students).map((s) => [
      escapeMd(s.name) + (s.kind === 'baseline' ? ' (baseline)' : ''),
      setting(s.temperature),
      setting(s.alpha),
      pct(s.accuracy),
      num4(s.nll),
      num4(s.ece),
      pct(s.agreementWithTeacher),
      seconds(s.trainSeconds),
    ]);
    out.push(`### ${escapeMd(title)}`, '', markdownTable(columns, rows), '', distillationSummary(report), '');
  }
  return out;
}

/** Baselines first, then distilled students by temperature, then alpha. */
export function orderStudents(students: readonly StudentReport[]): StudentReport[] {
  const rank = (s: StudentReport): number => (s.kind === 'baseline' ? 0 : 1);
  const inf = (v: number | undefined): number => v ?? Number.POSITIVE_INFINITY;
  return [...students].sort(
    (a, b) => rank(a) - rank(b) || inf(a.temperature) - inf(b.temperature) || inf(a.alpha) - inf(b.alpha),
  );
}

function distillationSummary(report: Report): string {
  const t = report.teacher;
  const how = t.softTargets === 'probabilities' ? 'soft vote' : 'mean logits';
  const parts = [`Teacher (${how} of ${t.members.length} members): ${pct(t.accuracy)}`];
  const d = report.distillation;
  const baseline = d?.baselineAccuracy ?? report.students.find((s) => s.kind === 'baseline')?.accuracy;
  parts.push(`baseline student: ${pct(baseline)}`);
  if (!d) return `${parts.join('; ')}; no distilled student.`;
  parts.push(`best distilled student: ${escapeMd(d.bestStudent)} (${pct(d.bestAccuracy)})`);
  let gap: string;
  if (d.baselineAccuracy === undefined)
    gap = 'no baseline student was trained, so there is no gap to measure';
  else if (d.gapRecovered === undefined)
    gap = 'the teacher is no better than the baseline student, so there is no gap to recover';
  else {
    gap = `gap recovered: ${pct(d.gapRecovered)} of the gap between the baseline student and the teacher`;
    if (d.gapRecovered < 0) gap += ' (distillation did not beat the baseline)';
  }
  return `${parts.join('; ')}; ${gap}.`;
}

function reproduceSection(experiments: readonly ResultsExperiment[]): string[] {
  const out = [
    '## Reproduce',
    '',
    'From the repository root, after `npm install`, run each job file; `npx chorus run <job file>` does the same. ' +
      'Each run writes report.md, report.html and report.json to `runs/<job name>/`. Running a job again resumes ' +
      'from that folder (finished tasks are not redone); add `--fresh` to train from scratch.',
    '',
  ];
  for (const { title, jobFile, report } of experiments) {
    out.push(
      `- ${escapeMd(title)}: \`node cli/bin.mjs run ${jobFile}\` → \`runs/${report.job}/report.md\` ` +
        `(this page's run: [docs/results/${report.job}](results/${report.job}/report.md))`,
    );
  }
  out.push('');
  return out;
}
