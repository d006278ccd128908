import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Report, StudentReport } from '../../core/report/report.ts';
import { titleOf } from '../../results/loadExperiments.ts';
import { orderStudents, renderResults, type ResultsExperiment } from '../../results/renderResults.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = join(ROOT, 'results', 'resultsMain.ts');
const META = { machine: 'Test CPU, 2 cores, 4.0 GiB RAM, Node v20', date: '2026-11-27' };

function student(name: string, accuracy: number, extra: Partial<StudentReport> = {}): StudentReport {
  return {
    name,
    kind: 'distilled',
    accuracy,
    nll: 0.281704,
    ece: 0.0149685,
    agreementWithTeacher: 0.9555,
    trainSeconds: 2.855,
    ...extra,
  };
}

/** Calibrated soft vote, stacking and three students (listed out of order); distillation lost to the baseline. */
function fullReport(): Report {
  return {
    job: 'fashion-cnn',
    backend: 'wasm',
    chorusVersion: '0.1.0',
    createdAt: '2026-11-27T22:22:44.445Z',
    dataset: { train: 7200, validation: 800, test: 2000, classes: 10 },
    members: [
      {
        name: 'cnn-0',
        group: 'cnn',
        weight: 1,
        teacher: true,
        accuracy: 0.943,
        nll: 0.2,
        ece: 0.01,
        trainSeconds: 3.6,
      },
      {
        name: 'cnn-1',
        group: 'cnn',
        weight: 1,
        teacher: true,
        accuracy: 0.953,
        nll: 0.17,
        ece: 0.007,
        trainSeconds: 2.7,
      },
    ],
    bestMember: 'cnn-1',
    meanMember: { accuracy: 0.948, nll: 0.185, ece: 0.0085 },
    ensemble: {
      hard: { accuracy: 0.952 },
      soft: {
        accuracy: 0.9525,
        nll: 0.163489,
        ece: 0.0185339,
        reliability: [],
        calibrated: { accuracy: 0.9525, nll: 0.15012, ece: 0.0091234, temperature: 1.53421, reliability: [] },
      },
      stacking: { accuracy: 0.9535, nll: 0.192003, ece: 0.0264589, trainSeconds: 0.704 },
    },
    teacher: {
      members: ['cnn-0', 'cnn-1'],
      softTargets: 'probabilities',
      accuracy: 0.9525,
      nll: 0.163,
      ece: 0.018,
    },
    students: [
      student('student-T4-a0.7', 0.92, { temperature: 4, alpha: 0.7 }),
      student('student-T2-a0.9', 0.915, { temperature: 2, alpha: 0.9 }),
      student('student-T2-a0.5', 0.91, { temperature: 2, alpha: 0.5 }),
      student('student-baseline', 0.928, {
        kind: 'baseline',
        nll: 0.255959,
        ece: 0.020286,
        trainSeconds: 1.744,
      }),
    ],
    distillation: {
      bestStudent: 'student-T4-a0.7',
      bestAccuracy: 0.92,
      baseline: 'student-baseline',
      baselineAccuracy: 0.928,
      gapRecovered: -0.326531,
    },
    timing: { wallSeconds: 16.575, taskSeconds: 23.3, parallelism: 1.45, byType: {}, retries: 0 },
  };
}

/** Hard and soft votes only: no calibration, no stacking, no students. */
function plainReport(): Report {
  const r = fullReport();
  return {
    ...r,
    job: 'synthetic-plain',
    createdAt: '2026-11-25T10:00:00.000Z',
    dataset: { train: 480, validation: 120, test: 300, classes: 3 },
    ensemble: {
      hard: { accuracy: 0.81 },
      soft: { accuracy: 0.8233, nll: 0.45678, ece: 0.05123, reliability: [] },
    },
    students: [],
    distillation: undefined,
    timing: { ...r.timing, wallSeconds: 4.4 },
  };
}

const experiments = (): ResultsExperiment[] => [
  { jobFile: 'examples/results/fashion-cnn.yaml', title: 'Fashion CNN', report: fullReport() },
  { jobFile: 'examples/results/plain.yaml', title: 'Plain synthetic', report: plainReport() },
];

/** The table row whose first cell is `first`. */
function row(md: string, first: string): string {
  const line = md.split('\n').find((l) => l.startsWith(`| ${first} |`));
  assert.ok(line, `no row for ${first}`);
  return line;
}

test('ensembles table: formatted scores, calibration and stacking, — when absent', () => {
  const md = renderResults(experiments(), {
    ...META,
    intro: 'INTRO PARAGRAPH',
    discussion: 'DISCUSSION PARAGRAPH',
  });
  assert.ok(md.startsWith('# Results\n'));
  assert.ok(md.includes(`Machine: ${META.machine}. Date: 2026-11-27.`));
  assert.equal(
    row(md, 'Fashion CNN'),
    '| Fashion CNN | 7200 / 800 / 2000 | 2 | 95.30% | 94.80% | 95.20% | 95.25% | 0.1635 | 0.0185 | ' +
      '95.25% | 0.1501 | 0.0091 | 1.53 | 95.35% | 17 |',
  );
  assert.equal(
    row(md, 'Plain synthetic'),
    '| Plain synthetic | 480 / 120 / 300 | 2 | 95.30% | 94.80% | 81.00% | 82.33% | 0.4568 | 0.0512 | ' +
      '— | — | — | — | — | 4 |',
  );
  // Intro before the tables, discussion after everything.
  assert.ok(md.indexOf('INTRO PARAGRAPH') < md.indexOf('## Ensembles'));
  assert.ok(md.indexOf('## Reproduce') < md.indexOf('DISCUSSION PARAGRAPH'));
});

test('distillation table: baseline first, then by temperature and alpha; the negative gap said plainly', () => {
  const md = renderResults(experiments(), META);
  const section = md.slice(md.indexOf('## Distillation'), md.indexOf('## Reproduce'));
  assert.ok(section.includes('### Fashion CNN'));
  assert.ok(
    !section.includes('Plain synthetic'),
    'an experiment without students gets no distillation table',
  );
  const rows = section.split('\n').filter((l) => l.startsWith('| student'));
  assert.deepEqual(
    rows.map((l) => l.split(' | ')[0]),
    ['| student-baseline (baseline)', '| student-T2-a0.5', '| student-T2-a0.9', '| student-T4-a0.7'],
  );
  assert.equal(rows[0], '| student-baseline (baseline) | — | — | 92.80% | 0.2560 | 0.0203 | 95.55% | 2 |');
  assert.equal(rows[3], '| student-T4-a0.7 | 4 | 0.7 | 92.00% | 0.2817 | 0.0150 | 95.55% | 3 |');
  assert.ok(section.includes('Teacher (soft vote of 2 members): 95.25%; baseline student: 92.80%'));
  assert.ok(section.includes('best distilled student: student-T4-a0.7 (92.00%)'));
  assert.ok(
    section.includes(
      'gap recovered: -32.65% of the gap between the baseline student and the teacher ' +
        '(distillation did not beat the baseline).',
    ),
  );
});

test('a positive gap is reported without the negative sentence', () => {
  const report = fullReport();
  report.distillation = { ...report.distillation!, gapRecovered: 0.5 };
  const md = renderResults([{ jobFile: 'j.yaml', title: 'T', report }], META);
  assert.ok(md.includes('gap recovered: 50.00% of the gap between the baseline student and the teacher.'));
  assert.ok(!md.includes('did not beat'));
});

test('orderStudents puts baselines first and sorts distilled students by T then alpha', () => {
  const ordered = orderStudents(fullReport().students).map((s) => s.name);
  assert.deepEqual(ordered, ['student-baseline', 'student-T2-a0.5', 'student-T2-a0.9', 'student-T4-a0.7']);
});

test('reproduce section gives the command and where the report lands', () => {
  const md = renderResults(experiments(), META);
  assert.ok(
    md.includes(
      '- Fashion CNN: `node cli/bin.mjs run examples/results/fashion-cnn.yaml` → `runs/fashion-cnn/report.md`',
    ),
  );
  assert.ok(md.includes('`npx chorus run <job file>`'));
});

test('titleOf reads a first-line "# title:" comment only', () => {
  assert.equal(titleOf('# title: Fashion-MNIST, 10 CNNs  \nname: x\n'), 'Fashion-MNIST, 10 CNNs');
  assert.equal(titleOf('# A comment\n# title: not first\nname: x\n'), undefined);
  assert.equal(titleOf('name: x\n'), undefined);
});

const JOB = (name: string, title?: string): string =>
  `${title ? `# title: ${title}\n` : ''}name: ${name}
data:
  train: { format: synthetic, count: 60, features: 4, classes: 3 }
  test: { format: synthetic, count: 30, features: 4, classes: 3 }
members:
  - name: mlp
    layers: [{ type: dense, units: 4, activation: relu }]
    train: { epochs: 1 }
`;

function runScript(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('script: reads the job files and reports, writes the Markdown', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-results-'));
  try {
    await writeFile(join(dir, 'a.yaml'), JOB('fashion-cnn', 'Fashion CNN'));
    await writeFile(join(dir, 'b.yaml'), JOB('synthetic-plain'));
    await writeFile(join(dir, 'intro.md'), 'Hand-written intro.\n');
    for (const report of [fullReport(), plainReport()]) {
      await mkdir(join(dir, 'runs', report.job), { recursive: true });
      await writeFile(join(dir, 'runs', report.job, 'report.json'), JSON.stringify(report));
    }
    const out = join(dir, 'docs', 'RESULTS.md');
    const r = runScript([
      '--runs',
      join(dir, 'runs'),
      '--out',
      out,
      '--intro',
      join(dir, 'intro.md'),
      join(dir, 'a.yaml'),
      join(dir, 'b.yaml'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    const md = await readFile(out, 'utf8');
    assert.ok(md.includes('| Fashion CNN | 7200 / 800 / 2000 |'), 'title from the # title: comment');
    assert.ok(md.includes('| synthetic-plain | 480 / 120 / 300 |'), 'the job name when there is no title');
    assert.ok(md.includes('Hand-written intro.'));
    assert.match(md, /Machine: .+, \d+ cores, [\d.]+ GiB RAM, Node v\d+/);
    assert.ok(md.includes('Date: 2026-11-27.'), 'the newest report date');
    assert.ok(md.includes(`\`node cli/bin.mjs run ${join(dir, 'a.yaml')}\``));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('script: a missing report exits 2 naming the file, without a stack trace', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-results-'));
  try {
    await writeFile(join(dir, 'a.yaml'), JOB('never-ran'));
    const out = join(dir, 'RESULTS.md');
    const r = runScript(['--runs', join(dir, 'runs'), '--out', out, join(dir, 'a.yaml')]);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.includes(join(dir, 'runs', 'never-ran', 'report.json')), r.stderr);
    assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`);
    await assert.rejects(readFile(out), { code: 'ENOENT' }, 'nothing is written');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('script: with --allow-not-run, a job without a report is named as not run and the others render', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-results-'));
  try {
    await writeFile(join(dir, 'a.yaml'), JOB('fashion-cnn', 'Fashion CNN'));
    await writeFile(join(dir, 'b.yaml'), JOB('never-ran'));
    await mkdir(join(dir, 'runs', 'fashion-cnn'), { recursive: true });
    await writeFile(join(dir, 'runs', 'fashion-cnn', 'report.json'), JSON.stringify(fullReport()));
    const out = join(dir, 'RESULTS.md');
    const args = ['--runs', join(dir, 'runs'), '--out', out, join(dir, 'a.yaml'), join(dir, 'b.yaml')];
    const r = runScript(['--allow-not-run', ...args]);
    assert.equal(r.status, 0, r.stderr);
    const md = await readFile(out, 'utf8');
    assert.ok(md.includes('| Fashion CNN | 7200 / 800 / 2000 |'));
    assert.ok(md.includes(`Not run yet, so not in the tables: \`${join(dir, 'b.yaml')}\`.`), md);
    const none = runScript([
      '--allow-not-run',
      '--runs',
      join(dir, 'runs'),
      '--out',
      out,
      join(dir, 'b.yaml'),
    ]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no experiment has a report yet/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
