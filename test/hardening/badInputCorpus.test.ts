import assert from 'node:assert/strict';
import { access, readdir, readFile, readlink, truncate, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadSource } from '../../core/data/load.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { checkJobModelFiles } from '../../core/model/modelFile/checkJobModelFiles.ts';
import { readJobModelFiles } from '../../core/model/modelFile/readJobModelFiles.ts';
import { readDataFile } from '../../core/data/readDataFile.ts';
import { DatasetError, JobSpecError } from '../../core/errors.ts';
import { loadJobFile, parseJobText } from '../../core/spec/loadJob.ts';
import { BINARY_JOB_FILE, binaryJobBytes } from '../fixtures/bad/binaryJob.ts';
import { BAD_DATA_CASES } from '../fixtures/bad/data/badDataCases.ts';
import { BAD_MODEL_FILES, SYMLINKS } from '../fixtures/bad/models/badModelCases.ts';
import { ofType, parseEvents, REPO_ROOT, runCli, stackTraceLines, tempDir } from '../pipeline/cli.ts';

/**
 * The bad-input corpus under test/fixtures/bad: every job file and every data file there must be
 * refused with the documented error, whose message says what is wrong and where (the field's path,
 * the YAML line, or the data file).
 */

const JOBS = join(REPO_ROOT, 'test', 'fixtures', 'bad', 'jobs');
const DATA = join(REPO_ROOT, 'test', 'fixtures', 'bad', 'data');
const MODELS = join(REPO_ROOT, 'test', 'fixtures', 'bad', 'models');
const MODEL_JOBS = join(REPO_ROOT, 'test', 'fixtures', 'bad', 'model-jobs');

interface JobCase {
  file: string;
  path: string;
  text: string;
  /** `# expect:` — a substring of the error message. */
  expect: string;
  /** `# path:` lines — each must be the path of one issue (`line N` matches `line N, column C`; empty: the whole file). */
  paths: string[];
  /** `# cli: true` — also run through `chorus run`. */
  cli: boolean;
}

async function jobCases(folder = JOBS): Promise<JobCase[]> {
  const files = (await readdir(folder)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const path = join(folder, file);
      const text = await readFile(path, 'utf8');
      const header = text.split('\n').filter((l) => l.startsWith('# '));
      const value = (key: string) =>
        header.filter((l) => l.startsWith(`# ${key}:`)).map((l) => l.slice(key.length + 3).trim());
      const expect = value('expect')[0];
      assert.ok(expect, `${file} must start with "# expect: <substring of the error>"`);
      return { file, path, text, expect, paths: value('path'), cli: value('cli')[0] === 'true' };
    }),
  );
}

function issueAt(err: JobSpecError, path: string): boolean {
  if (path === '') return err.issues.some((i) => i.path === '');
  if (/^line \d+$/.test(path)) return err.issues.some((i) => i.path.startsWith(`${path}, column `));
  return err.issues.some((i) => i.path === path);
}

function checkSpecError(c: JobCase, err: unknown, how: string): void {
  assert.ok(err instanceof JobSpecError, `${c.file} (${how}): expected a JobSpecError, got ${String(err)}`);
  assert.ok(
    err.message.includes(c.expect),
    `${c.file} (${how}): message lacks "${c.expect}":\n${err.message}`,
  );
  for (const p of c.paths) {
    assert.ok(issueAt(err, p), `${c.file} (${how}): no issue at "${p}":\n${err.message}`);
  }
  assert.doesNotMatch(err.message, /\[object |undefined/, `${c.file}: ${err.message}`);
}

test('the corpus holds at least 25 bad job files and 10 bad data files', async () => {
  const jobs = await jobCases();
  assert.ok(jobs.length >= 25, `${jobs.length} job files`);
  assert.ok(BAD_DATA_CASES.length >= 10, `${BAD_DATA_CASES.length} data cases`);
  assert.ok(jobs.some((c) => c.file === BINARY_JOB_FILE));
  // generate.ts wrote this one: it must still be what binaryJob.ts builds.
  assert.deepEqual(await readFile(join(JOBS, BINARY_JOB_FILE)), Buffer.from(binaryJobBytes()));
});

test('every bad job file gives a JobSpecError naming the problem and where it is', async (t) => {
  for (const c of await jobCases()) {
    await t.test(c.file, async () => {
      let parsed: unknown;
      try {
        parseJobText(c.text, c.file);
      } catch (err) {
        parsed = err;
      }
      checkSpecError(c, parsed, 'parseJobText');
      let loaded: unknown;
      try {
        await loadJobFile(c.path);
      } catch (err) {
        loaded = err;
      }
      checkSpecError(c, loaded, 'loadJobFile');
      assert.equal((loaded as JobSpecError).source, c.path, 'the error names the file');
    });
  }
});

test('a 10 MB job file is refused at once, without parsing it', async (t) => {
  const dir = await tempDir(t, 'chorus-bad-');
  const big = join(dir, 'ten-megabytes.yaml');
  const text = `name: huge\n${'# padding\n'.repeat(1024 * 1024)}`;
  await writeFile(big, text);
  const started = performance.now();
  await assert.rejects(loadJobFile(big), (err: unknown) => {
    assert.ok(err instanceof JobSpecError);
    assert.match(err.message, /the job file is over the limit of 256 KiB/);
    assert.ok(err.message.includes(big));
    return true;
  });
  assert.throws(
    () => parseJobText(text, 'huge.yaml'),
    /the job text is 10485771 bytes, over the limit of 256 KiB/,
  );
  assert.ok(performance.now() - started < 2000, 'refused without reading or parsing 10 MB');
});

test(
  'bad job files marked "cli" make `chorus run` exit with code 2, naming the problem',
  { concurrency: 3 },
  async (t) => {
    const cases = (await jobCases()).filter((c) => c.cli);
    assert.ok(cases.length >= 4, `${cases.length} cli cases`);
    await Promise.all(
      cases.map((c) =>
        t.test(c.file, async (tc) => {
          const out = join(await tempDir(tc, 'chorus-bad-'), 'out');
          const exit = await runCli(tc, ['run', c.path, '--out', out], 60_000);
          assert.equal(exit.code, 2, `exit code ${exit.code}:\n${exit.stderr}`);
          assert.ok(exit.stderr.includes(c.expect), `stderr lacks "${c.expect}":\n${exit.stderr}`);
          for (const p of c.paths.filter((p) => p !== '')) assert.ok(exit.stderr.includes(p), exit.stderr);
          assert.deepEqual(stackTraceLines(exit.stderr), [], 'no stack trace');
          await assert.rejects(access(out), 'a refused job leaves no output folder');
        }),
      ),
    );
  },
);

test('every bad data file gives a DatasetError naming the file and the problem', async (t) => {
  for (const c of BAD_DATA_CASES) {
    await t.test(c.name, async () => {
      for (const [name, bytes] of Object.entries(c.files)) {
        // gzip output may differ between zlib versions; the other files are exactly what the case builds.
        if (name.endsWith('.gz')) continue;
        const onDisk = await readFile(join(DATA, name));
        assert.ok(onDisk.equals(Buffer.from(bytes)), `${name} is stale: run test/fixtures/bad/generate.ts`);
      }
      const file = resolve(DATA, c.file);
      let caught: unknown;
      try {
        if (c.maxBytes !== undefined) await readDataFile(file, { maxBytes: c.maxBytes });
        else
          await loadSource(c.source, DATA, {
            ...(c.classes !== undefined ? { classes: c.classes } : {}),
            ...(c.task !== undefined ? { task: c.task } : {}),
          });
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof DatasetError, `expected a DatasetError, got ${String(caught)}`);
      assert.equal(caught.file, file);
      assert.ok(caught.message.startsWith(`${file}: `), caught.message);
      assert.ok(caught.message.includes(c.expect), `message lacks "${c.expect}":\n${caught.message}`);
    });
  }
});

test('a layer that only fails once the data is loaded is bad input: refused before training, or its task fails once, not retried', async (t) => {
  // CSV samples are flat, which the job file alone does not tell: the model is refused when it is built.
  const dir = await tempDir(t, 'chorus-bad-');
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2}`);
  await writeFile(join(dir, 'train.csv'), ['a,b,label', ...rows].join('\n'));
  const job = join(dir, 'conv-on-csv.yaml');
  await writeFile(
    job,
    [
      'name: conv-on-csv',
      'data:',
      '  train: { format: csv, path: train.csv }',
      '  test: { format: csv, path: train.csv }',
      'members:',
      '  - name: convy',
      '    layers: [{ type: conv2d, filters: 2, kernelSize: 2 }]',
      '    train: { epochs: 1 }',
      'runtime: { slots: 1, backend: wasm, maxAttempts: 3 }',
      '',
    ].join('\n'),
  );
  const exit = await runCli(t, ['run', job, '--out', join(dir, 'out'), '--json'], 90_000);
  const events = parseEvents(exit.stdout);
  const started = ofType(events, 'task-started').filter((e) => e.id === 'train:convy');
  if (exit.code === 2) {
    // Checked against the loaded data before any task (core/spec/checkModelsAgainstData.ts): bad input.
    assert.equal(started.length, 0, 'refused before the task ran');
    assert.match(exit.stderr, /members\[0\]\.layers\[0\]: member "convy": conv2d: expects input of rank 3/);
  } else {
    // Found when the task builds the model: a failed job (exit 1), but the task is not retried.
    assert.equal(exit.code, 1, exit.stderr);
    assert.equal(started.length, 1, 'the task ran once: bad input is not retried');
    const failed = ofType(events, 'task-failed').find((e) => e.id === 'train:convy');
    assert.ok(failed, exit.stdout);
    assert.equal(failed.willRetry, false);
    assert.match(failed.error, /^ModelSpecError: layers\[0\] \(conv2d\): expects input of rank 3/);
    // The member (in the task id) and the layer are both named in what the user sees.
    assert.match(exit.stderr, /train:convy.*layers\[0\] \(conv2d\)/);
  }
  assert.deepEqual(stackTraceLines(exit.stderr), []);
});

/**
 * The model files a job names are read and checked once its data is loaded, before any task: as
 * `chorus run` does (coordinator/runEmbedded.ts), so this is what it reports.
 */
async function checkModelJob(path: string): Promise<void> {
  const { job, baseDir } = await loadJobFile(path);
  const data = await prepareData(job.data, baseDir, job.seed);
  await checkJobModelFiles(await readJobModelFiles(job, baseDir, path), data, path);
}

test('the bad model files on disk are what badModelCases.ts builds', async () => {
  for (const [name, bytes] of Object.entries(BAD_MODEL_FILES)) {
    const onDisk = await readFile(join(MODELS, name));
    assert.ok(onDisk.equals(Buffer.from(bytes)), `${name} is stale: run test/fixtures/bad/generate.ts`);
  }
  for (const [name, target] of Object.entries(SYMLINKS))
    assert.equal(await readlink(join(MODELS, name)), target);
});

test('every job naming a bad model file gives a JobSpecError at the field, naming the file and the problem', async (t) => {
  const cases = await jobCases(MODEL_JOBS);
  assert.ok(cases.length >= 15, `${cases.length} model-file cases`);
  for (const c of cases) {
    await t.test(c.file, async () => {
      let caught: unknown;
      try {
        await checkModelJob(c.path);
      } catch (err) {
        caught = err;
      }
      checkSpecError(c, caught, 'model files');
      assert.equal((caught as JobSpecError).source, c.path, 'the error names the job file');
      // Each issue names the model file it is about, by its absolute path.
      for (const issue of (caught as JobSpecError).issues) {
        assert.match(issue.message, /(member|student) "[^"]+": \/.*\/model\.json: /, issue.message);
      }
    });
  }
});

test('oversized model files are refused without being read (sparse files over the limits)', async (t) => {
  const dir = await tempDir(t, 'chorus-bad-');
  const job = (folder: string) =>
    [
      `name: oversized-${folder}`,
      'data:',
      '  train: { format: synthetic, count: 60, features: 4, classes: 3 }',
      '  test: { format: synthetic, count: 20, features: 4, classes: 3, sampleSeed: 2 }',
      'members:',
      `  - { name: ext, model: ${folder}/model.json, weights: file, train: false }`,
      '',
    ].join('\n');
  // model.json over its 64 MiB limit.
  await mkdir(join(dir, 'big-json'));
  await writeFile(join(dir, 'big-json', 'model.json'), '{}');
  await truncate(join(dir, 'big-json', 'model.json'), 65 * 1024 * 1024);
  // A weights file over the 400 MB limit, though the manifest describes 172 bytes.
  const good = BAD_MODEL_FILES['weights-wrong-size/model.json']!;
  await mkdir(join(dir, 'big-weights'));
  await writeFile(join(dir, 'big-weights', 'model.json'), good);
  await writeFile(join(dir, 'big-weights', 'weights.bin'), '');
  await truncate(join(dir, 'big-weights', 'weights.bin'), 400_000_001);
  for (const [folder, message] of [
    ['big-json', /big-json\/model\.json: its model\.json is 68157440 bytes, over the limit of 67108864/],
    [
      'big-weights',
      /big-weights\/model\.json: its weights files hold 400000001 bytes, over the limit of 400000000/,
    ],
  ] as const) {
    const path = join(dir, `${folder}.yaml`);
    await writeFile(path, job(folder));
    const started = performance.now();
    await assert.rejects(checkModelJob(path), (err: unknown) => {
      assert.ok(err instanceof JobSpecError, String(err));
      assert.equal(err.issues[0]?.path, 'members[0].model');
      assert.match(err.message, message);
      return true;
    });
    assert.ok(performance.now() - started < 5000, 'refused without reading hundreds of megabytes');
  }
});

test(
  'bad model-file jobs marked "cli" make `chorus run` exit with code 2 before any task, naming the problem',
  { concurrency: 2 },
  async (t) => {
    const cases = (await jobCases(MODEL_JOBS)).filter((c) => c.cli);
    assert.ok(cases.length >= 4, `${cases.length} cli cases`);
    await Promise.all(
      cases.map((c) =>
        t.test(c.file, async (tc) => {
          const out = join(await tempDir(tc, 'chorus-bad-'), 'out');
          const exit = await runCli(tc, ['run', c.path, '--out', out], 60_000);
          assert.equal(exit.code, 2, `exit code ${exit.code}:\n${exit.stderr}`);
          assert.ok(exit.stderr.includes(c.expect), `stderr lacks "${c.expect}":\n${exit.stderr}`);
          for (const p of c.paths) assert.ok(exit.stderr.includes(`${p}: `), exit.stderr);
          assert.deepEqual(stackTraceLines(exit.stderr), [], 'no stack trace');
          await assert.rejects(access(out), 'a refused job leaves no output folder');
        }),
      ),
    );
  },
);
