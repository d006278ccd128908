import assert from 'node:assert/strict';
import { cp, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { prepareData } from '../../core/data/prepareData.ts';
import { JobSpecError } from '../../core/errors.ts';
import type { Report } from '../../core/report/report.ts';
import { loadJobFile } from '../../core/spec/loadJob.ts';
import { ofType, parseEvents, REPO_ROOT, runCli, tempDir } from '../pipeline/cli.ts';
import { saveTrainedFunctionalModel } from '../pipeline/functionalModel.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { withoutTimings } from './reportShape.ts';

/**
 * Model files travel with `chorus submit` (issue 15): a pretrained functional model as a member that
 * gets no train task and teaches the student, and the same file trained from random weights, give the
 * report `chorus run` gives; bad model files are refused at submission (by the client, and by the
 * coordinator for a client that skips its checks), and the cluster carries on.
 */
test('model files through chorus submit: the embedded report, and bad files refused at submission', async (t) => {
  const dir = await tempDir(t, 'chorus-dist-models-');
  const jobFile = join(dir, 'job.yaml');
  await writeFile(
    jobFile,
    `name: brought-distributed
seed: 5
data:
  train: { format: mnist-bundled, start: 0, count: 1000 }
  test: { format: mnist-bundled, start: 8000, count: 300 }
members:
  - { name: ext, model: brought/model.json, weights: file, train: false }
  - { name: res, model: brought/model.json, weights: random, train: { epochs: 1, batchSize: 64 } }
teacher: { members: [ext] }
distillation:
  student: { layers: [{ type: dense, units: 16, activation: relu }], train: { epochs: 1, batchSize: 64 } }
  temperature: 2
  alpha: 0.7
  baseline: false
  shards: 1
runtime: { slots: 2, backend: wasm }
`,
  );
  const { job, baseDir } = await loadJobFile(jobFile);
  await saveTrainedFunctionalModel(
    join(dir, 'brought'),
    (await prepareData(job.data, baseDir, job.seed)).train,
    1,
  );

  const out = join(dir, 'embedded');
  const embedded = await runCli(t, ['run', jobFile, '--out', out, '--json'], 180_000);
  assert.equal(embedded.code, 0, embedded.stderr);
  const embeddedReport = ofType(parseEvents(embedded.stdout), 'report')[0]?.report;
  assert.ok(embeddedReport);

  const cluster = await Cluster.start(t, { workers: 2 });
  const submit = await cluster.cli(t, ['submit', jobFile, '--wait', '--json'], 240_000);
  assert.equal(submit.code, 0, `${submit.stderr}\n${cluster.logs()}`);
  const events = parseEvents(submit.stdout);
  const report: Report | undefined = ofType(events, 'report')[0]?.report;
  assert.ok(report);
  assert.deepEqual(withoutTimings(report), withoutTimings(embeddedReport));
  const jobId =
    /submitted job (\S+):/.exec(submit.stderr)?.[1] ??
    (JSON.parse(submit.stdout.split('\n')[0] ?? '{}') as { jobId?: string }).jobId ??
    '';
  const status = await cluster.status(t, jobId);
  assert.ok(!status.tasks.some((task) => task.id === 'train:ext'), 'the pretrained member has no train task');
  assert.equal(report.members.find((m) => m.name === 'ext')?.origin?.training, 'pretrained');

  await t.test(
    'a weights file of the wrong size is refused by chorus submit before upload (exit 2)',
    async (t) => {
      const bad = join(dir, 'bad');
      await cp(join(dir, 'brought'), join(bad, 'brought'), { recursive: true });
      await writeFile(join(bad, 'job.yaml'), await readFile(jobFile, 'utf8'));
      const weights = join(bad, 'brought', 'weights.bin');
      await truncate(weights, 100);
      const refused = await cluster.cli(t, ['submit', join(bad, 'job.yaml')]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /members\[0\]\.model: member "ext": .*brought\/model\.json: .*weights/);
    },
  );

  await t.test(
    'the coordinator checks uploaded model files itself (a raw client skips chorus submit)',
    async () => {
      const text = await readFile(jobFile, 'utf8');
      const modelJson = new Uint8Array(await readFile(join(dir, 'brought', 'model.json')));
      const weights = new Uint8Array(await readFile(join(dir, 'brought', 'weights.bin')));
      const api = cluster.api();
      // Without its weights file.
      await assert.rejects(
        api.submitJob(text, 'job.yaml', [{ path: 'brought/model.json', bytes: modelJson }], { fresh: true }),
        (err: Error) => {
          assert.ok(err instanceof JobSpecError, `${err.name}: ${err.message}`);
          assert.match(
            err.message,
            /members\[0\]\.model: member "ext": brought\/model\.json: .*weights\.bin.* missing/,
          );
          return true;
        },
      );
      // Without model.json.
      await assert.rejects(
        api.submitJob(text, 'job.yaml', [], { fresh: true }),
        /brought\/model\.json was not uploaded/,
      );
      // With a file nothing in the job names.
      await assert.rejects(
        api.submitJob(
          text,
          'job.yaml',
          [
            { path: 'brought/model.json', bytes: modelJson },
            { path: 'brought/weights.bin', bytes: weights },
            { path: 'elsewhere/extra.bin', bytes: new Uint8Array(8) },
          ],
          { fresh: true },
        ),
        /uploaded files the job does not name: elsewhere\/extra\.bin/,
      );
      assert.ok(
        cluster.coordinator.running && cluster.workers.every((w) => w.running),
        'the cluster stayed up',
      );
    },
  );

  await t.test(
    'every bad model file of the corpus, uploaded as is by a raw client: refused at its field',
    async () => {
      const jobs = join(REPO_ROOT, 'test', 'fixtures', 'bad', 'model-jobs');
      const mismatches: string[] = [];
      for (const file of (await readdir(jobs)).filter((f) => f.endsWith('.yaml')).sort()) {
        const text = await readFile(join(jobs, file), 'utf8');
        const expect = /^# expect: (.*)$/m.exec(text)?.[1] ?? '';
        const field = /^# path: (.*)$/m.exec(text)?.[1] ?? '';
        // What a client would send: every file of each named model's folder, under the job's path for it.
        const uploads: { path: string; bytes: Uint8Array }[] = [];
        for (const [, modelPath = ''] of text.matchAll(/model: ([^\s,}]+)/g)) {
          const folder = join(jobs, dirname(modelPath));
          for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
            if (!entry.isFile()) continue;
            const bytes = new Uint8Array(await readFile(join(folder, entry.name)));
            uploads.push({ path: `${dirname(modelPath)}/${entry.name}`, bytes });
          }
        }
        await assert.rejects(cluster.api().submitJob(text, file, uploads, { fresh: true }), (err: Error) => {
          assert.ok(err instanceof JobSpecError, `${file}: ${err.name}: ${err.message}`);
          assert.ok(
            err.issues.some((i) => i.path === field),
            `${file}: no issue at ${field}: ${err.message}`,
          );
          const wording = SERVER_WORDING[file];
          if (!(err.message.includes(expect) || wording?.test(err.message))) {
            mismatches.push(`${file}: ${err.message}`);
          }
          return true;
        });
      }
      assert.deepEqual(mismatches, []);
      assert.ok(
        cluster.coordinator.running && cluster.workers.every((w) => w.running),
        'the cluster stayed up',
      );
    },
  );
});

/**
 * Cases whose problem shows on the client's disk (a symbolic link out, a file that is not there): what
 * arrives of them is refused for what it is instead.
 */
const SERVER_WORDING: Record<string, RegExp> = {
  'model-json-missing.yaml': /nowhere\/model\.json was not uploaded/,
  'weights-symlink-out.yaml': /its weights file weights\.bin \(weightsManifest\[0\]\.paths\[0\]\) is missing/,
};
