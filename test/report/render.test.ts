import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeReport } from '../../coordinator/report/computeReport.ts';
import type { Report } from '../../core/report/report.ts';
import { renderHtml } from '../../coordinator/report/renderHtml.ts';
import { renderMarkdown } from '../../coordinator/report/renderMarkdown.ts';
import { renderTable, TABLE_WIDTH } from '../../coordinator/report/renderTable.ts';
import { summaryLine } from '../../coordinator/report/summaryLine.ts';
import { BASELINE, DISTILLED, MEMBERS, makeInputs, makeJob } from './fixtures.ts';
import { sampleInputs } from './sampleInputs.ts';

const full = (): Report => computeReport(makeInputs());
const names = [...MEMBERS, DISTILLED, BASELINE];

test('summary line compares the best method with the members and the student with the baseline', () => {
  assert.equal(
    summaryLine(full()),
    'soft voting: 75.00% vs best member 75.00% vs mean member 50.00%; best distilled student 100.00% ' +
      "vs baseline 25.00% (recovers 150% of the gap to the teacher's 75.00%)",
  );
});

test('summary line: a student below its baseline is said so in points, never as a negative share of the gap', () => {
  const report = full();
  const d = report.distillation;
  assert.ok(d);
  d.bestAccuracy = 0.2;
  d.baselineAccuracy = 0.25;
  d.gapRecovered = -0.1;
  const line = summaryLine(report);
  assert.match(
    line,
    /best distilled student 20\.00% vs baseline 25\.00% \(below the baseline by 5\.00 points; teacher 75\.00%\)/,
  );
  assert.doesNotMatch(line, /recovers|-\d+%/);
});

test('markdown: a table row per member, method and student', () => {
  const md = renderMarkdown(full());
  for (const name of names)
    assert.match(md, new RegExp(`^\\| (\\*\\*)?${name.replace('.', '\\.')}`, 'm'), name);
  for (const heading of [
    '## Members',
    '## Ensemble',
    '## Students',
    '## Timing',
    '## Calibration of the soft vote',
  ])
    assert.ok(md.includes(heading), heading);
  assert.ok(md.includes('| hard vote | 50.00% | - | - |'));
  assert.ok(md.includes('| **alpha-net** | layers | 1,000 |'), 'the best member is emphasised');
  assert.ok(md.includes(`| **${DISTILLED}** | distilled | 120 | 4 | 0.9 | 100.00% |`));
  // Every table row has as many cells as its header.
  const tables = md.split('\n\n').filter((block) => block.startsWith('|'));
  assert.ok(tables.length >= 5);
  for (const block of tables) {
    const widths = block.split('\n').map((line) => line.replace(/\\\|/g, '').split('|').length);
    assert.equal(new Set(widths).size, 1, block);
  }
});

test('markdown leaves out what was not run', () => {
  const inputs = makeInputs(makeJob({ methods: '[hard]', extra: '' }));
  const md = renderMarkdown(computeReport(inputs));
  assert.ok(!md.includes('soft vote'));
  assert.ok(!md.includes('Calibration'));
  assert.ok(!md.includes('| stacking'));
});

test('html: self-contained, with the three charts and every name', () => {
  const html = renderHtml(full());
  assert.ok(html.startsWith('<!doctype html>'));
  assert.equal((html.match(/<svg /g) ?? []).length, 4, 'accuracy, member loss, student loss, reliability');
  for (const name of names) assert.ok(html.includes(`>${name}<`), name);
  assert.ok(html.includes('Soft vote reliability (ECE 0.2667)'));
  assert.ok(!/<script/i.test(html), 'no scripts');
  assert.ok(!/https?:|\/\/[a-z]/i.test(html), 'no links out');
  assert.ok(!/url\(|@import|<link|src=/i.test(html), 'no external resources');
  assertBalanced(html);
});

test('html escapes names', () => {
  const report = full();
  report.members[0]!.name = '<img src=x onerror="alert(1)">';
  report.job = 'a&b';
  const html = renderHtml(report);
  assert.ok(!html.includes('<img'));
  assert.ok(html.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'));
  assert.ok(html.includes('Chorus report: a&amp;b'));
  assertBalanced(html);
});

test('html without soft voting or students still renders', () => {
  const inputs = makeInputs(makeJob({ methods: '[hard]' }));
  const report = computeReport(inputs);
  report.students = [];
  delete report.distillation;
  const html = renderHtml(report);
  assert.ok(!html.includes('reliability'));
  assert.equal((html.match(/<svg /g) ?? []).length, 2, 'accuracy and member loss');
  assertBalanced(html);
});

test('tasks that ran on a GPU: report.json lists each with its GPU, report.md and report.html show them', () => {
  const inputs = makeInputs();
  for (const [id, record] of inputs.records) {
    if (record.result?.type === 'train') {
      const gpu = id.endsWith(MEMBERS[0]!) ? 1 : 0;
      record.result = { ...record.result, gpu };
    }
  }
  const report = computeReport(inputs);
  assert.deepEqual(
    report.timing.gpuTasks,
    MEMBERS.map((m, i) => ({
      task: `train:${m}`,
      type: 'train',
      gpu: m === MEMBERS[0] ? 1 : 0,
      seconds: 10 + i,
    })),
  );
  const md = renderMarkdown(report);
  assert.ok(md.includes('## Tasks by GPU'));
  assert.ok(md.includes(`| train:${MEMBERS[0]} | train | 1 | `), md);
  assert.ok(md.includes(`| train:${MEMBERS[1]} | train | 0 | `), md);
  assert.match(md, /^GPU 0: \d+ tasks?, .+; GPU 1: 1 task, .+\.$/m);
  const html = renderHtml(report);
  assert.ok(html.includes('<section class="card" id="gpu-tasks"><h2>Tasks by GPU</h2>'));
  assertBalanced(html);
});

test('a report of tasks on no GPU has no GPU timings, in report.json, report.md or report.html', () => {
  const report = full();
  assert.ok(!('gpuTasks' in report.timing));
  assert.ok(!renderMarkdown(report).includes('GPU'));
  assert.ok(!renderHtml(report).includes('gpu-tasks'));
});

test('the terminal table fits in 80 columns and aligns its numbers', () => {
  const text = renderTable(full());
  const lines = text.trimEnd().split('\n');
  for (const line of lines) assert.ok(line.length <= TABLE_WIDTH, `${line.length} columns: ${line}`);
  for (const name of [...names, 'hard vote', 'soft vote', 'stacking']) {
    assert.ok(
      lines.some((l) => l.startsWith(name)),
      name,
    );
  }
  // The accuracy column ends at the same column on every row that has a percentage.
  const rowNames = [...names, 'hard vote', 'soft vote', 'stacking'];
  const ends = lines.filter((l) => rowNames.some((n) => l.startsWith(`${n} `))).map((l) => l.search(/%/));
  assert.equal(ends.length, 8);
  assert.equal(new Set(ends).size, 1, text);
});

test('long names are cut so the table still fits', () => {
  const report = full();
  report.members[0]!.name = 'a-member-with-an-exceptionally-long-descriptive-name-0';
  report.students[0]!.name = 'student-with-a-very-long-sweep-name-T4-a0.9-and-more';
  const lines = renderTable(report).trimEnd().split('\n');
  for (const line of lines) assert.ok(line.length <= TABLE_WIDTH, `${line.length} columns: ${line}`);
  assert.ok(lines.some((l) => l.startsWith('a-member-with-an-exceptiona')));
});

/** Every opened element is closed in order (void elements and `/>` aside): enough to catch broken markup. */
function assertBalanced(html: string): void {
  const voids = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);
  const stack: string[] = [];
  const body = html.replace(/<!doctype[^>]*>/i, '').replace(/<style>[\s\S]*?<\/style>/, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, tag, selfClosing] = m;
    const name = tag!.toLowerCase();
    if (selfClosing || (voids.has(name) && !closing)) continue;
    if (!closing) stack.push(name);
    else assert.equal(stack.pop(), name, `unbalanced </${name}> at ${m.index}`);
  }
  assert.deepEqual(stack, []);
}

test('a realistic report (6 members, 3 methods, a sweep of 4 students) renders within bounds', () => {
  const report = computeReport(sampleInputs());
  const lines = renderTable(report).trimEnd().split('\n');
  for (const line of lines) assert.ok(line.length <= TABLE_WIDTH, `${line.length} columns: ${line}`);
  const rowNames = [...report.members, ...report.students]
    .map((r) => r.name)
    .concat('hard vote', 'soft vote', 'stacking');
  assert.equal(lines.filter((l) => rowNames.some((n) => l.startsWith(`${n} `))).length, 13);
  const html = renderHtml(report);
  assertBalanced(html);
  // The accuracy chart's y-axis is zoomed: it starts well above 0 so sub-percent gaps are visible.
  const start = /y-axis starts at (\d+)%/.exec(html);
  assert.ok(start && Number(start[1]) >= 80, start?.[0]);
  for (const m of report.members) assert.ok(html.includes(`>${m.name}<`), m.name);
});
