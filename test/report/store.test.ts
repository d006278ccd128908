import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeReport } from '../../coordinator/report/computeReport.ts';
import { gatherReportInputs } from '../../coordinator/report/gatherReportInputs.ts';
import { writeReport } from '../../coordinator/report/writeReport.ts';
import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';
import { putFloat32 } from '../../core/artifacts/float32.ts';
import { FsArtifactStore } from '../../core/artifacts/fsArtifactStore.ts';
import { ArtifactNotFoundError } from '../../core/errors.ts';
import { BASELINE, DISTILLED, LABELS, MEMBERS, makeInputs, makeJob, withTempDir } from './fixtures.ts';

/** Writes every test-logit artifact of the fixture inputs as the tasks would. */
async function fillStore(store: FsArtifactStore, withStacking: boolean): Promise<void> {
  const inputs = makeInputs();
  for (const [name, logits] of inputs.memberTestLogits) {
    await putFloat32(store, artifactKeys.memberLogits(name, 'test'), logits);
    await putFloat32(store, artifactKeys.memberLogits(name, 'validation'), new Float32Array(3));
  }
  for (const [name, logits] of inputs.studentTestLogits)
    await putFloat32(store, artifactKeys.studentLogits(name), logits);
  if (withStacking) await putFloat32(store, artifactKeys.stackingLogits(), inputs.stackingTestLogits!);
}

test('gatherReportInputs reads members, stacking and students from the store', async () => {
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    await fillStore(store, true);
    const expected = makeInputs();
    const gathered = await gatherReportInputs({
      job: expected.job,
      store,
      records: expected.records,
      counts: expected.counts,
      testLabels: LABELS,
      backend: 'cpu',
      wallSeconds: 20,
      createdAt: expected.createdAt!,
    });
    assert.deepEqual([...gathered.memberTestLogits.keys()], [...MEMBERS]);
    assert.deepEqual([...gathered.studentTestLogits.keys()], [DISTILLED, BASELINE]);
    assert.deepEqual(gathered.memberTestLogits.get('beta-net'), expected.memberTestLogits.get('beta-net'));
    assert.deepEqual(gathered.stackingTestLogits, expected.stackingTestLogits);
    assert.deepEqual(computeReport(gathered), computeReport(expected));
  });
});

test('gatherReportInputs reads stacking logits only when stacking was asked for', async () => {
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    await fillStore(store, false);
    const base = makeInputs();
    const options = {
      store,
      records: base.records,
      counts: base.counts,
      testLabels: LABELS,
      backend: 'cpu',
      wallSeconds: 1,
    };
    const gathered = await gatherReportInputs({ ...options, job: makeJob({ methods: '[hard, soft]' }) });
    assert.equal(gathered.stackingTestLogits, undefined);
    await assert.rejects(gatherReportInputs({ ...options, job: makeJob() }), ArtifactNotFoundError);
  });
});

test('with ensemble.calibrate, gatherReportInputs also reads every member’s validation logits', async () => {
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    await fillStore(store, true);
    const expected = makeInputs(makeJob({ calibrate: true }));
    for (const [name, logits] of expected.memberValidationLogits!) {
      await putFloat32(store, artifactKeys.memberLogits(name, 'validation'), logits);
    }
    const gathered = await gatherReportInputs({
      job: expected.job,
      store,
      records: expected.records,
      counts: expected.counts,
      testLabels: LABELS,
      validationLabels: expected.validationLabels!,
      backend: 'cpu',
      wallSeconds: 20,
      createdAt: expected.createdAt!,
    });
    assert.deepEqual(gathered.memberValidationLogits, expected.memberValidationLogits);
    assert.equal(gathered.validationLabels, expected.validationLabels);
    const report = computeReport(gathered);
    assert.ok(report.ensemble.soft?.calibrated);
    assert.deepEqual(report, computeReport(expected));
    // Without calibration the validation logits are not read.
    const plain = await gatherReportInputs({
      job: makeJob(),
      store,
      records: expected.records,
      counts: expected.counts,
      testLabels: LABELS,
      backend: 'cpu',
      wallSeconds: 20,
    });
    assert.equal(plain.memberValidationLogits, undefined);
  });
});

test('writeReport writes report.json, report.md and report.html', async () => {
  await withTempDir(async (dir) => {
    const store = new FsArtifactStore(dir);
    const report = computeReport(makeInputs());
    await writeReport(report, store);
    const json = await readFile(join(dir, 'report.json'), 'utf8');
    assert.deepEqual(JSON.parse(json), report);
    assert.ok(json.includes('\n  "job": "tiny-report"'), 'pretty-printed');
    assert.ok((await readFile(join(dir, 'report.md'), 'utf8')).startsWith('# Chorus report: tiny-report'));
    assert.ok((await readFile(join(dir, 'report.html'), 'utf8')).startsWith('<!doctype html>'));
  });
});
