import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Report, StudentReport } from '../../core/report/report.ts';
import type { ResultsExperiment } from '../../results/renderResults.ts';
import { seedGroupSection, seedGroups, spread, verdict } from '../../results/seedGroups.ts';

function report(job: string, member: number, soft: number, online: number, baseline: number): Report {
  const s = (name: string, accuracy: number, extra: Partial<StudentReport>): StudentReport => ({
    name,
    kind: 'distilled',
    accuracy,
    nll: 0.3,
    ece: 0.01,
    agreementWithTeacher: 0.95,
    trainSeconds: 10,
    parameters: 56714,
    ...extra,
  });
  return {
    job,
    backend: 'wasm',
    chorusVersion: '0.1.0',
    createdAt: '2026-12-08T00:00:00.000Z',
    dataset: { train: 54000, validation: 6000, test: 10000, classes: 10 },
    members: [0, 1].map((i) => ({
      name: `cnn-${i}`,
      group: 'cnn',
      weight: 1,
      teacher: true,
      accuracy: member + i * 0.002,
      nll: 0.25,
      ece: 0.01,
      trainSeconds: 100,
      parameters: 56714,
    })),
    bestMember: 'cnn-1',
    meanMember: { accuracy: member + 0.001, nll: 0.25, ece: 0.01 },
    ensemble: {
      soft: {
        accuracy: soft,
        nll: 0.22,
        ece: 0.02,
        reliability: [],
        calibrated: { accuracy: soft, nll: 0.19, ece: 0.008, temperature: 1.2, reliability: [] },
      },
    },
    teacher: {
      members: ['cnn-0', 'cnn-1'],
      softTargets: 'probabilities',
      accuracy: soft,
      nll: 0.22,
      ece: 0.02,
    },
    students: [
      s('st-online', online, { teacherTargets: 'online', teacherSeconds: 5 }),
      s('st-offline', online - 0.002, { teacherTargets: 'offline' }),
      s('st-baseline', baseline, { kind: 'baseline' }),
    ],
    timing: { wallSeconds: 3600, taskSeconds: 7000, parallelism: 1.9, byType: {}, retries: 0 },
  };
}

const exp = (r: Report): ResultsExperiment => ({
  jobFile: `examples/results/${r.job}.yaml`,
  title: r.job,
  report: r,
});

test('spread: mean, sample standard deviation, min and max; verdicts say by how much a target is missed', () => {
  const s = spread([0.9, 0.92, 0.91])!;
  assert.ok(Math.abs(s.mean - 0.91) < 1e-12);
  assert.ok(Math.abs(s.sd - 0.01) < 1e-12);
  assert.deepEqual([s.min, s.max, s.n], [0.9, 0.92, 3]);
  assert.equal(verdict(s, { value: 0.905, higherIsBetter: true }, 'percent'), 'met');
  assert.equal(verdict(s, { value: 0.932, higherIsBetter: true }, 'percent'), 'missed by 2.20 points');
  assert.equal(verdict(spread([0.25]), { value: 0.2, higherIsBetter: false }, 'plain'), 'missed by 0.0500');
});

test('jobs named <group>-s<seed> form a group; its table has the mean over seeds against the targets', () => {
  const experiments = [
    exp(report('other', 0.8, 0.8, 0.8, 0.8)),
    exp(report('recipe-s1', 0.91, 0.928, 0.925, 0.912)),
    exp(report('recipe-s2', 0.912, 0.93, 0.921, 0.914)),
    exp(report('recipe-s3', 0.914, 0.932, 0.923, 0.913)),
  ];
  assert.deepEqual(
    seedGroups(experiments).map((g) => [g.name, g.experiments.map((e) => e.report.job)]),
    [['recipe', ['recipe-s1', 'recipe-s2', 'recipe-s3']]],
  );
  const md = seedGroupSection(experiments).join('\n');
  const line = (label: string) => md.split('\n').find((l) => l.startsWith(`| ${label} |`)) ?? '';
  assert.equal(
    line('one member: accuracy (mean member)'),
    '| one member: accuracy (mean member) | 91.00% | ≥ 91.00% | 91.30% ± 0.20 (91.10% to 91.50%) | 3 | met |',
  );
  assert.match(line('2-member soft vote: accuracy'), /93\.00% ± 0\.20 .* \| 3 \| missed by 0\.20 points \|$/);
  assert.match(line('soft vote: ECE (calibrated)'), /0\.0080 ± 0\.0000 .* \| met \|$/);
  assert.match(line('distilled student (online) − baseline'), /\+1\.00 points ± .* \| met \|$/);
  assert.match(md, /each member 56714, the student 56714/);
  assert.match(md, /recipe-s1 60 min; recipe-s2 60 min; recipe-s3 60 min/);
});
