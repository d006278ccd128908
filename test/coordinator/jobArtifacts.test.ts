import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFetchedKey } from '../../coordinator/distributed/jobArtifacts.ts';
import { REPORT_KEYS } from '../../coordinator/report/writeReport.ts';
import { artifactKeys } from '../../core/artifacts/artifactKeys.ts';

test('chorus fetch takes the report and every model, nothing else of a run', () => {
  for (const key of Object.values(REPORT_KEYS)) assert.ok(isFetchedKey(key), key);
  for (const model of [
    artifactKeys.memberModel('mlp-0'),
    artifactKeys.stackingModel(),
    artifactKeys.studentModel('s'),
    artifactKeys.ensembleModel(),
  ]) {
    assert.ok(isFetchedKey(`${model}/model.json`), model);
    assert.ok(isFetchedKey(`${model}/weights.bin`), model);
  }
  for (const key of [
    artifactKeys.checkpoint('train:mlp-0'),
    artifactKeys.memberLogits('mlp-0', 'test'),
    artifactKeys.softLabels(0),
    'data/0-train.csv',
    'report.json.tmp',
    'modelsx/a',
  ]) {
    assert.ok(!isFetchedKey(key), key);
  }
});
