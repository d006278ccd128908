import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Report } from '../../core/report/report.ts';
import { ofType, parseEvents, runCli, tempDir } from '../pipeline/cli.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { fullJob } from './jobs.ts';
import { shapeOf, withoutTimings } from './reportShape.ts';

/**
 * A distributed worker with `--isolation process --slots 2` runs every task kind in its child
 * processes (the NATS artifact store and the gRPC logit stream opened there) and reports what the
 * embedded run with threads reports; `chorus workers` shows its isolation.
 */
test('a worker with --isolation process --slots 2 gives the report of an embedded run with threads', async (t) => {
  const cluster = await Cluster.start(t, {
    workers: 1,
    workerArgs: ['--slots', '2', '--isolation', 'process'],
  });
  const file = await cluster.jobFile('processes.yaml', fullJob('processes'));

  const out = await tempDir(t, 'chorus-dist-embedded-');
  const embedded = await runCli(t, ['run', file, '--out', out, '--json', '--isolation', 'thread'], 120_000);
  assert.equal(embedded.code, 0, embedded.stderr);
  const embeddedReport = ofType(parseEvents(embedded.stdout), 'report')[0]?.report;
  assert.ok(embeddedReport);

  const workers = await cluster.cli(t, ['workers', '--json']);
  assert.equal(workers.code, 0, workers.stderr);
  const listed = JSON.parse(workers.stdout) as { slots: number; isolation?: string; gpus?: number[] }[];
  assert.deepEqual(
    listed.map((w) => [w.slots, w.isolation, w.gpus]),
    [[2, 'process', undefined]],
  );

  const exit = await cluster.cli(t, ['submit', file, '--wait', '--json'], 150_000);
  assert.equal(exit.code, 0, `${exit.stderr}\n${cluster.logs()}`);
  const report: Report | undefined = ofType(parseEvents(exit.stdout), 'report')[0]?.report;
  assert.ok(report);
  assert.equal(report.backend, 'wasm');
  assert.deepEqual(shapeOf(report), shapeOf(embeddedReport));
  assert.deepEqual(withoutTimings(report), withoutTimings(embeddedReport));
  assert.match(cluster.workers[0]!.log(), /ready: 2 slot\(s\) \(process isolation\)/);
});
