import { accuracyChart } from './charts/accuracyChart.ts';
import { lossChart } from './charts/lossChart.ts';
import { reliabilityChart } from './charts/reliabilityChart.ts';
import { escapeHtml as h } from './escapeHtml.ts';
import { duration, metric, percent, temperature } from '../../core/report/format.ts';
import type { Report } from '../../core/report/report.ts';
import { scoreRows } from './reportRows.ts';
import { reportTables, type ReportTable } from './reportTables.ts';
import { summaryLine } from './summaryLine.ts';

export const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f7fa; color: #2b313a;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 20px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; font-weight: 650; }
h1 .job { color: #4e79a7; }
h2 { font-size: 16px; margin: 0 0 12px; font-weight: 620; }
.meta { color: #6b7480; margin: 0 0 18px; }
.card { background: #fff; border: 1px solid #e3e7ec; border-radius: 10px; padding: 18px 20px; margin: 0 0 18px; }
.summary { font-size: 15px; margin: 0 0 14px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 12px; }
.figure { background: #f7f9fb; border: 1px solid #edf0f3; border-radius: 8px; padding: 10px 12px; }
.figure .label { color: #6b7480; font-size: 12px; }
.figure .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .sub { color: #6b7480; font-size: 12px; overflow-wrap: anywhere; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.row > * { flex: 1 1 480px; min-width: 0; }
.note { color: #6b7480; font-size: 12.5px; margin: 8px 0 0; }
table { border-collapse: collapse; min-width: 50%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 14px; border-bottom: 1px solid #edf0f3; text-align: left; white-space: nowrap; }
th { color: #6b7480; font-weight: 600; font-size: 12.5px; background: #fafbfc; }
td.num, th.num { text-align: right; }
tr.best td { background: #eef5ec; font-weight: 600; }
.scroll { overflow-x: auto; }
footer { color: #98a0aa; font-size: 12px; text-align: center; margin-top: 24px; }
svg { display: block; }
svg text { font-family: inherit; }
.chart-title { font-weight: 600; font-size: 13px; margin: 0 0 4px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; margin: 0 0 6px; }
.legend .entry { white-space: nowrap; }
.legend-note { margin-left: auto; color: #6b7480; font-size: 11px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.swatch.line, .swatch.dashed { width: 20px; height: 0; border-radius: 0; border-top: 2.5px solid; vertical-align: 4px; }
.swatch.dashed { border-top-style: dashed; }
`;

/**
 * `report.html`: one self-contained page (inline CSS and SVG; no scripts, fonts or external links)
 * with the summary, an accuracy chart, loss curves, the soft vote's reliability diagram (and, when
 * calibrated, the calibrated one beside it) and the tables.
 */
export function renderHtml(report: Report): string {
  const rows = scoreRows(report);
  const bestMember = report.members.find((m) => m.name === report.bestMember);
  const d = report.dataset;
  const body: string[] = [];

  body.push(
    `<header><h1>Chorus report: <span class="job">${h(report.job)}</span></h1>`,
    `<p class="meta">${d.train} train · ${d.validation} validation · ${d.test} test samples · ${d.classes} classes · ` +
      `backend ${h(report.backend)} · chorus ${h(report.chorusVersion)} · ${h(report.createdAt)}</p></header>`,
  );

  body.push(`<section class="card"><p class="summary">${h(summaryLine(report))}</p><div class="figures">`);
  for (const f of figures(report)) {
    body.push(
      `<div class="figure"><div class="label">${h(f.label)}</div><div class="value">${h(f.value)}</div>` +
        `<div class="sub">${h(f.sub)}</div></div>`,
    );
  }
  body.push('</div></section>');

  body.push(
    `<section class="card"><h2>Test accuracy</h2>${accuracyChart(
      // Calibrated rows repeat their uncalibrated row's accuracy: one bar each is enough.
      [rows.members, rows.ensemble.filter((row) => !row.calibrated), rows.students],
      bestMember?.accuracy,
    )}</section>`,
  );

  const memberLoss = lossChart(
    'Members',
    report.members.flatMap((m) => (m.history ? [{ name: m.name, history: m.history }] : [])),
  );
  const studentLoss = lossChart(
    'Students',
    report.students.flatMap((s) => (s.history ? [{ name: s.name, history: s.history }] : [])),
  );
  if (memberLoss !== '' || studentLoss !== '') {
    body.push(
      `<section class="card"><h2>Training loss per epoch</h2><div class="row">`,
      memberLoss !== '' ? `<div>${memberLoss}</div>` : '',
      studentLoss !== '' ? `<div>${studentLoss}</div>` : '',
      '</div>',
      report.students.some((s) => s.kind === 'distilled')
        ? '<p class="note">A distilled student\'s loss is the distillation loss ' +
            "alpha·T²·KL(teacher‖student at T) + (1−alpha)·CE, so its scale differs from the baseline's cross-entropy.</p>"
        : '',
      '</section>',
    );
  }

  const tables = reportTables(report);
  const soft = report.ensemble.soft;
  const calibration = tables.find((t) => t.id === 'calibration');
  const calibrated = soft?.calibrated;
  const calibratedTable = tables.find((t) => t.id === 'calibration-calibrated');
  if (soft && calibration && calibrated && calibratedTable) {
    // Before and after temperature scaling, side by side, each with its bins below.
    body.push(
      `<section class="card"><h2>Calibration of the soft vote, before and after temperature scaling</h2><div class="row">`,
      `<div>${reliabilityChart('Soft vote reliability', soft.reliability, soft.ece)}` +
        `${htmlTable(calibration)}</div>`,
      `<div>${reliabilityChart(
        `Calibrated soft vote reliability, T = ${temperature(calibrated.temperature)}`,
        calibrated.reliability,
        calibrated.ece,
      )}${htmlTable(calibratedTable)}</div>`,
      '</div>',
      notes(calibration),
      `<p class="note">${h(
        `Temperature scaling after averaging: softmax(log(p) / T), T fitted on the validation split. ` +
          `NLL ${metric(soft.nll)} → ${metric(calibrated.nll)}, ECE ${metric(soft.ece)} → ${metric(calibrated.ece)}; ` +
          'the accuracy does not change.',
      )}</p>`,
      '</section>',
    );
  } else if (soft && calibration) {
    body.push(
      `<section class="card"><h2>Calibration of the soft vote</h2><div class="row">`,
      `<div>${reliabilityChart('Soft vote reliability', soft.reliability, soft.ece)}</div>`,
      `<div>${htmlTable(calibration)}${notes(calibration)}</div>`,
      '</div></section>',
    );
  }
  for (const t of tables) {
    if (t.id === 'calibration' || t.id === 'calibration-calibrated') continue;
    body.push(
      `<section class="card" id="${h(t.id)}"><h2>${h(t.title)}</h2>${htmlTable(t)}${notes(t)}</section>`,
    );
  }
  body.push(`<footer>Generated by Chorus ${h(report.chorusVersion)}</footer>`);

  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Chorus report: ${h(report.job)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body><main>',
    ...body,
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}

/** The headline numbers shown as cards under the summary sentence. */
function figures(report: Report): { label: string; value: string; sub: string }[] {
  const out: { label: string; value: string; sub: string }[] = [];
  const methods = (['hard', 'soft', 'stacking'] as const).flatMap((key) => {
    const s = report.ensemble[key];
    return s ? [{ key, accuracy: s.accuracy }] : [];
  });
  for (const m of methods) {
    out.push({
      label: `${m.key === 'stacking' ? 'stacking' : `${m.key} vote`}`,
      value: percent(m.accuracy),
      sub: 'ensemble',
    });
  }
  const calibrated = report.ensemble.soft?.calibrated;
  if (report.ensemble.soft && calibrated) {
    out.push({
      label: 'calibrated ECE',
      value: metric(calibrated.ece),
      sub: `soft vote, from ${metric(report.ensemble.soft.ece)}; T = ${temperature(calibrated.temperature)}`,
    });
  }
  const best = report.members.find((m) => m.name === report.bestMember);
  if (best) out.push({ label: 'best member', value: percent(best.accuracy), sub: best.name });
  out.push({
    label: 'mean member',
    value: percent(report.meanMember.accuracy),
    sub: `${report.members.length} members`,
  });
  const dist = report.distillation;
  if (dist)
    out.push({ label: 'best distilled student', value: percent(dist.bestAccuracy), sub: dist.bestStudent });
  if (dist?.baselineAccuracy !== undefined) {
    out.push({ label: 'baseline student', value: percent(dist.baselineAccuracy), sub: dist.baseline ?? '' });
  }
  out.push({
    label: 'wall time',
    value: duration(report.timing.wallSeconds),
    sub: `${duration(report.timing.taskSeconds)} in tasks`,
  });
  return out;
}

export function htmlTable(table: ReportTable): string {
  const cls = (i: number): string => (table.columns[i]?.align === 'right' ? ' class="num"' : '');
  const head = table.columns.map((c, i) => `<th${cls(i)}>${h(c.label)}</th>`).join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr${row.best ? ' class="best"' : ''}>${row.cells.map((c, i) => `<td${cls(i)}>${h(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function notes(table: ReportTable): string {
  return table.notes.map((n) => `<p class="note">${h(n)}</p>`).join('');
}
