import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Cluster } from '../support/chorusCluster.ts';

/**
 * A distributed job's files as a user meets them, with real processes: uploaded data is copied to the
 * workers' caches privately (0600 files in 0700 folders, whatever the source file's mode) and removed
 * when the job ends (done, cancelled, failed); `chorus fetch` downloads a done job's report and models,
 * resumably; a failing job's error is said once.
 */

/** A CSV of three separable classes (deterministic). */
function csv(rows: number, seed: number): string {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
  const lines = ['f0,f1,f2,f3,f4,f5,label'];
  for (let i = 0; i < rows; i++) {
    const label = i % 3;
    const features = Array.from({ length: 6 }, (_, j) => (label * 1.5 * ((j % 3) + 1) + rand()).toFixed(4));
    lines.push(`${features.join(',')},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

function job(name: string, options: { member?: string; epochs?: number; distill?: boolean } = {}): string {
  return `
name: ${name}
seed: 4
data:
  train: { format: csv, path: data/train.csv }
  test: { format: csv, path: data/test.csv }
  validationSplit: 0.2
members:
  - name: ${options.member ?? 'mlp'}
    replicas: 2
    layers: [{ type: dense, units: 16, activation: relu }]
    train: { epochs: ${options.epochs ?? 4}, batchSize: 16, learningRate: 0.01 }
ensemble:
  methods: [hard, soft, stacking]
${
  options.distill
    ? `distillation:
  student:
    layers: [{ type: dense, units: 4, activation: relu }]
    train: { epochs: 2, batchSize: 32, learningRate: 0.01 }
  temperature: 2
  alpha: 0.7
  baseline: true
  shards: 2`
    : ''
}
runtime:
  backend: wasm
`;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test(
  'uploaded data is cached privately and removed when the job ends; chorus fetch gets the results',
  { timeout: 600_000 },
  async (t) => {
    const cluster = await Cluster.start(t, { workers: 2, workerEnv: { CHORUS_FAULTS: 'bad@train:bad-0' } });
    const caches = [
      ...cluster.workers.map((_, i) => join(cluster.dir, `worker-${i + 1}-cache`)),
      join(cluster.dir, 'coordinator-cache'),
    ];
    const dataDir = join(cluster.dir, 'data');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'train.csv'), csv(900, 1));
    await writeFile(join(dataDir, 'test.csv'), csv(150, 2));
    // Group- and world-readable sources: the copies must be private all the same.
    await chmod(join(dataDir, 'train.csv'), 0o640);
    await chmod(join(dataDir, 'test.csv'), 0o644);

    /** Every path under the caches that belongs to the job. */
    const cached = async (jobId: string): Promise<string[]> => {
      const out: string[] = [];
      for (const cache of caches) {
        const names = await readdir(cache).catch(() => [] as string[]);
        if (!names.includes(jobId)) continue;
        out.push(join(cache, jobId));
        for (const entry of await readdir(join(cache, jobId), { recursive: true }))
          out.push(join(cache, jobId, String(entry)));
      }
      return out;
    };
    const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        assert.ok(Date.now() < deadline, `timed out waiting for ${what}\n${cluster.logs()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const submit = async (file: string) => {
      const exit = await cluster.cli(t, ['submit', file], 120_000);
      assert.equal(exit.code, 0, exit.stderr);
      return exit.stdout.trim();
    };

    await t.test(
      'while the job runs the copies are 0600 files in 0700 folders; when it is done they are gone',
      async () => {
        const jobId = await submit(
          await cluster.jobFile('done.yaml', job('cached', { epochs: 30, distill: true })),
        );
        await until('a worker to copy the data', async () =>
          (await cached(jobId)).some((p) => p.endsWith('.csv')),
        );
        const paths = await cached(jobId);
        t.diagnostic(`cached: ${paths.map((p) => p.slice(cluster.dir.length)).join(' ')}`);
        for (const path of paths) {
          const info = await lstat(path);
          assert.equal(info.mode & 0o777, info.isDirectory() ? 0o700 : 0o600, path);
        }
        for (const cache of caches) {
          const info = await lstat(cache).catch(() => undefined);
          if (info) assert.equal(info.mode & 0o777, 0o700, cache);
        }
        const end = await cluster.waitForEnd(jobId, 300_000);
        assert.equal(end.state, 'done', `${end.error ?? ''}\n${cluster.logs()}`);
        await until('the copies to be removed', async () => (await cached(jobId)).length === 0, 30_000);

        // chorus fetch: the report's three files and every model, as the coordinator holds them.
        const out = join(cluster.dir, 'fetched');
        const fetched = await cluster.cli(t, ['fetch', jobId, '--out', out], 120_000);
        assert.equal(fetched.code, 0, fetched.stderr);
        assert.equal(fetched.stdout.trim(), out);
        const listed = await cluster.api().listArtifacts(jobId);
        const paths2 = listed.map((f) => f.path);
        for (const p of [
          'report.json',
          'report.md',
          'report.html',
          'models/members/mlp-0/model.json',
          'models/members/mlp-1/model.json',
          'models/stacking/model.json',
        ]) {
          assert.ok(paths2.includes(p), `${p} not in ${paths2.join(', ')}`);
        }
        assert.ok(
          paths2.some((p) => p.startsWith('models/students/')),
          paths2.join(', '),
        );
        assert.ok(
          !paths2.some(
            (p) => p.startsWith('data/') || p.startsWith('checkpoints/') || p.startsWith('predictions/'),
          ),
        );
        for (const f of listed) {
          const bytes = await readFile(join(out, f.path));
          assert.equal(bytes.byteLength, f.size, f.path);
          assert.equal(sha256(bytes), f.sha256, f.path);
        }
        assert.equal(
          await readFile(join(out, 'report.json'), 'utf8'),
          (await cluster.api().getReport(jobId)).json,
        );
        assert.match(
          fetched.stderr,
          new RegExp(`${listed.length} files; 0 already in .*, ${listed.length} to download`),
        );

        // A rerun downloads nothing; after damage, only what was damaged.
        const again = await cluster.cli(t, ['fetch', jobId, '--out', out], 120_000);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stderr, new RegExp(`${listed.length} already in .*, 0 to download`));
        await unlink(join(out, 'report.html'));
        await truncate(join(out, 'models/members/mlp-0/weights.bin'), 10);
        const resumed = await cluster.cli(t, ['fetch', jobId, '--out', out], 120_000);
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stderr, new RegExp(`${listed.length - 2} already in .*, 2 to download`));
        assert.match(resumed.stderr, /report\.html/);
        assert.match(resumed.stderr, /models\/members\/mlp-0\/weights\.bin/);
        for (const f of listed) assert.equal(sha256(await readFile(join(out, f.path))), f.sha256, f.path);

        const unknown = await cluster.cli(t, ['fetch', 'no-such-job', '--out', join(cluster.dir, 'x')]);
        assert.equal(unknown.code, 1, unknown.stderr);
        assert.match(unknown.stderr, /^chorus: no job no-such-job$/m);
      },
    );

    await t.test('a cancelled job loses its copies, and cannot be fetched', async () => {
      const jobId = await submit(await cluster.jobFile('cancel.yaml', job('cancelled', { epochs: 400 })));
      await until('a worker to copy the data', async () =>
        (await cached(jobId)).some((p) => p.endsWith('.csv')),
      );
      const early = await cluster.cli(t, ['fetch', jobId, '--out', join(cluster.dir, 'early')]);
      assert.equal(early.code, 1, early.stderr);
      assert.match(
        early.stderr,
        new RegExp(`chorus: job ${jobId} is running: its report and models can be fetched once it is done`),
      );
      const cancel = await cluster.cli(t, ['cancel', jobId]);
      assert.equal(cancel.code, 0, cancel.stderr);
      await until('the copies to be removed', async () => (await cached(jobId)).length === 0, 30_000);
    });

    await t.test('a job that fails on a worker says so once, and loses its copies', async () => {
      const file = await cluster.jobFile('fails.yaml', job('fails', { member: 'bad', epochs: 2 }));
      const exit = await cluster.cli(t, ['submit', file, '--wait'], 300_000);
      assert.equal(exit.code, 1, exit.stderr);
      assert.match(
        exit.stderr,
        /^chorus: task train:bad-0 failed: injected bad input in train:bad-0 \(attempt 1\)$/m,
      );
      assert.doesNotMatch(exit.stderr, /task \S+ failed: task \S+ failed/, 'the failure is said once');
      const jobId = (await cluster.api().listJobs()).find((j) => j.name === 'fails')?.jobId ?? '';
      assert.ok(jobId);
      await until('the copies to be removed', async () => (await cached(jobId)).length === 0, 30_000);
    });

    assert.ok(cluster.coordinator.running && cluster.workers.every((w) => w.running), cluster.logs());
  },
);
