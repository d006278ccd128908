import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochsCell, learningRateTable, onlineTeacherNotes } from '../../coordinator/report/recipeTables.ts';
import type { MemberReport, Report, StudentReport } from '../../core/report/report.ts';

const member = (extra: Partial<MemberReport>): MemberReport => ({
  name: 'cnn-0',
  group: 'cnn',
  weight: 1,
  teacher: true,
  accuracy: 0.9,
  nll: 0.3,
  ece: 0.01,
  trainSeconds: 10,
  epochs: 30,
  ...extra,
});
const student = (extra: Partial<StudentReport>): StudentReport => ({
  name: 's-online',
  kind: 'distilled',
  accuracy: 0.9,
  nll: 0.3,
  ece: 0.01,
  agreementWithTeacher: 0.95,
  trainSeconds: 50,
  epochs: 3,
  ...extra,
});
const report = (members: MemberReport[], students: StudentReport[]) =>
  ({ members, students }) as unknown as Report;

test('the epochs cell says where early stopping ended training and which epoch was best', () => {
  assert.equal(epochsCell(member({})), '30');
  assert.equal(epochsCell(member({ stoppedAtEpoch: 14, bestEpoch: 9 })), '14 of 30, best 9');
  assert.equal(epochsCell(member({ bestEpoch: 28 })), '30, best 28');
});

test('learning rates per epoch as runs, only when some rate changed', () => {
  const constant = member({ history: { loss: [1, 1], learningRate: [0.001, 0.001] } });
  assert.equal(learningRateTable(report([constant], [])), undefined);
  const table = learningRateTable(
    report(
      [
        constant,
        member({
          name: 'cnn-1',
          stoppedAtEpoch: 4,
          bestEpoch: 2,
          history: { loss: [1, 1, 1, 1], learningRate: [0.0005, 0.001, 0.001, 0.000123456] },
        }),
      ],
      [student({ history: { loss: [1], learningRate: [0.002, 0.001, 0.0005] } })],
    ),
  );
  assert.deepEqual(
    table?.rows.map((r) => r.cells),
    [
      ['cnn-0', '30', '0.001 ×2'],
      ['cnn-1', '4 of 30, best 2', '0.0005, 0.001 ×2, 0.000123'],
      ['s-online', '3', '0.002, 0.001, 0.0005'],
    ],
  );
});

test('online teacher cost: teacher forward seconds against the student alone', () => {
  assert.deepEqual(
    onlineTeacherNotes(
      report([], [student({ teacherSeconds: 30 }), student({ name: 'b', kind: 'baseline' })]),
    ),
    ['s-online (online teacher): teacher forward passes 30.0 s of 50.0 s training (student alone 20.0 s).'],
  );
});
