import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { REPO_ROOT, runCli, stackTraceLines, tempDir } from './cli.ts';

/**
 * Bad input must stop `chorus run` quickly with exit code 2 and a message that names the field or
 * file at fault, never a stack trace. Each case runs the real CLI in a child process.
 */

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'bad-jobs');
/** Starting node + tsx takes ~1.5-3 s here; a bad job must not get as far as training anything. */
const QUICK_SECONDS = 20;

interface BadCase {
  name: string;
  /** Job file path, or a function that writes one into the temporary folder. */
  job: string | ((dir: string) => Promise<string>);
  extraArgs?: string[];
  /** Every pattern must occur in stderr. */
  stderr: (string | RegExp)[];
  /** Spec errors are found before anything is written: no output folder. */
  noOutput?: boolean;
}

/** A 10-image 4×4 IDX file cut short: the header promises 160 pixel bytes, 20 follow. */
async function writeTruncatedIdx(dir: string): Promise<string> {
  const header = Buffer.from([0, 0, 0x08, 3, 0, 0, 0, 10, 0, 0, 0, 4, 0, 0, 0, 4]);
  await writeFile(join(dir, 'train-images-idx3-ubyte'), Buffer.concat([header, Buffer.alloc(20, 7)]));
  const labels = Buffer.from([0, 0, 0x08, 1, 0, 0, 0, 10, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), labels);
  const job = join(dir, 'corrupt-idx.yaml');
  await writeFile(
    job,
    [
      'name: corrupt-idx',
      'data:',
      '  train: { format: idx, images: train-images-idx3-ubyte, labels: train-labels-idx1-ubyte }',
      '  test: { format: synthetic, count: 20, features: 16, classes: 2, seed: 1, sampleSeed: 2 }',
      'members:',
      '  - name: a',
      '',
    ].join('\n'),
  );
  return job;
}

/**
 * A flow mapping that is never closed. Written here, not kept as a fixture: prettier (which checks
 * every .yaml file of the repository) cannot parse it.
 */
async function writeBrokenYaml(dir: string): Promise<string> {
  const job = join(dir, 'yaml-syntax.yaml');
  await writeFile(
    job,
    [
      'name: bad-yaml',
      'data:',
      '  train: { format: synthetic, count: 50, features: 4, classes: 2, seed: 1, sampleSeed: 1 }',
      '  test: { format: synthetic, count: 20, features: 4, classes: 2, seed: 1, sampleSeed: 2 }',
      'members:',
      '  - name: a',
      '    train: { epochs: 1, batchSize: 8',
      '  - name: b',
      '',
    ].join('\n'),
  );
  return job;
}

const CASES: BadCase[] = [
  {
    name: 'unknown key',
    job: join(FIXTURES, 'unknown-key.yaml'),
    stderr: ['members[0].train.learningrate', 'unknown key'],
    noOutput: true,
  },
  {
    name: 'negative epochs',
    job: join(FIXTURES, 'negative-epochs.yaml'),
    stderr: ['members[2].train.epochs', 'positive integer', '-3'],
    noOutput: true,
  },
  {
    name: 'unknown layer type',
    job: join(FIXTURES, 'bad-layer-type.yaml'),
    stderr: ['members[0].layers[1].type', 'lstm', 'dense'],
    noOutput: true,
  },
  {
    name: 'YAML syntax error',
    job: writeBrokenYaml,
    stderr: ['yaml-syntax.yaml', 'YAML', /line \d+, column \d+/],
    noOutput: true,
  },
  {
    name: 'job file that does not exist',
    job: join(FIXTURES, 'no-such-job.yaml'),
    stderr: ['no-such-job.yaml', 'no such file'],
    noOutput: true,
  },
  {
    name: 'IDX data file that does not exist',
    job: join(FIXTURES, 'missing-idx.yaml'),
    stderr: [join(FIXTURES, 'no-such-train-images-idx3-ubyte'), 'not found'],
  },
  {
    name: 'truncated IDX data file',
    job: writeTruncatedIdx,
    stderr: ['train-images-idx3-ubyte', 'truncated'],
  },
  {
    name: '--slots 0',
    job: join(REPO_ROOT, 'examples', 'synthetic-smoke.yaml'),
    extraArgs: ['--slots', '0'],
    stderr: ['--slots', 'positive integer'],
    noOutput: true,
  },
];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function runBadCase(t: TestContext, c: BadCase): Promise<void> {
  const dir = await tempDir(t, 'chorus-bad-');
  const job = typeof c.job === 'string' ? c.job : await c.job(dir);
  const out = join(dir, 'out');
  const exit = await runCli(t, ['run', job, '--out', out, ...(c.extraArgs ?? [])], 60_000);
  assert.equal(exit.code, 2, `exit code ${exit.code}; stderr:\n${exit.stderr}`);
  for (const pattern of c.stderr) {
    if (typeof pattern === 'string')
      assert.ok(exit.stderr.includes(pattern), `stderr lacks ${JSON.stringify(pattern)}:\n${exit.stderr}`);
    else assert.match(exit.stderr, pattern);
  }
  assert.deepEqual(stackTraceLines(exit.stderr), [], 'no stack trace or node internals in stderr');
  assert.doesNotMatch(exit.stderr, /unexpected error/);
  assert.equal(exit.stdout, '', 'nothing on stdout');
  assert.ok(exit.seconds < QUICK_SECONDS, `took ${exit.seconds.toFixed(1)} s`);
  if (c.noOutput) assert.equal(await exists(out), false, 'a rejected job leaves no output folder');
}

test(
  'bad job files and flags exit with code 2, naming the field or file, without a stack trace',
  { concurrency: 3 },
  async (t) => {
    await Promise.all(CASES.map((c) => t.test(c.name, (tc) => runBadCase(tc, c))));
  },
);

test('a job rejected for a missing data file runs in the same folder once the job file is fixed', async (t) => {
  // Nothing ran, so nothing can be mixed up: the folder must not be claimed by the broken job file.
  const dir = await tempDir(t, 'chorus-bad-');
  const job = join(dir, 'job.yaml');
  const out = join(dir, 'out');
  const text = (train: string) =>
    [
      'name: fixed-later',
      'data:',
      `  train: ${train}`,
      '  test: { format: synthetic, count: 20, features: 4, classes: 2, seed: 1, sampleSeed: 2 }',
      'members:',
      '  - name: a',
      '    train: { epochs: 1, batchSize: 16 }',
      'runtime: { slots: 1 }',
      '',
    ].join('\n');
  await writeFile(job, text('{ format: idx, images: missing-images, labels: missing-labels }'));
  const bad = await runCli(t, ['run', job, '--out', out], 60_000);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /missing-images/);

  await writeFile(
    job,
    text('{ format: synthetic, count: 60, features: 4, classes: 2, seed: 1, sampleSeed: 1 }'),
  );
  const fixed = await runCli(t, ['run', job, '--out', out, '--json'], 60_000);
  assert.equal(fixed.code, 0, `the fixed job failed in the same folder:\n${fixed.stderr}`);
  assert.ok(await exists(join(out, 'report.json')));
});
