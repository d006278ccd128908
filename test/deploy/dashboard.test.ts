import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { startMetricsServer } from '../../observability/metricsServer.ts';
import { findBinary, startPrometheus } from '../support/prometheus.ts';
import { exportedMetricNames, populate } from '../observability/populatedMetrics.ts';
import { promqlMetricNames, withoutGrafanaVariables } from './promqlMetricNames.ts';
import { runCommand } from './runCommand.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  targets: Target[];
}
interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}

async function dashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(`${repo}deploy/grafana/chorus-dashboard.json`, 'utf8')) as Dashboard;
}

function targets(d: Dashboard): { panel: Panel; target: Target; expr: string }[] {
  return d.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ panel, target, expr: withoutGrafanaVariables(target.expr) })),
  );
}

test('the dashboard has a Prometheus datasource variable that every panel and query uses', async () => {
  const d = await dashboard();
  const ds = d.templating.list.find((v) => v.type === 'datasource');
  assert.deepEqual([ds?.name, ds?.query], ['datasource', 'prometheus']);
  assert.ok(d.panels.length >= 10);
  for (const p of d.panels) {
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
    assert.ok(p.targets.length > 0, `${p.title} has queries`);
    for (const t of p.targets) assert.deepEqual(t.datasource, p.datasource, `${p.title} ${t.refId}`);
  }
  assert.equal(new Set(d.panels.map((p) => p.id)).size, d.panels.length, 'panel ids are unique');
});

test('the dashboard has the panels the issue asks for', async () => {
  const d = await dashboard();
  const exprs = (re: RegExp) =>
    d.panels.filter((p) => re.test(p.title)).flatMap((p) => p.targets.map((t) => t.expr));
  const has = (title: RegExp, expr: RegExp) =>
    assert.ok(
      exprs(title).some((e) => expr.test(e)),
      `a panel titled ${title} querying ${expr}`,
    );
  has(/^Jobs by state/, /chorus_jobs\b/);
  has(/^Tasks by state/, /chorus_tasks\b/);
  has(/^Queue depth/, /chorus_queue_depth/);
  has(/^Busy slots per worker/, /sum by \(instance\) \(chorus_worker_busy_slots\)/);
  has(/^Task duration p50 \/ p95 by kind/, /histogram_quantile\(0\.5, .*chorus_task_duration_seconds_bucket/);
  has(
    /^Task duration p50 \/ p95 by kind/,
    /histogram_quantile\(0\.95, .*chorus_task_duration_seconds_bucket/,
  );
  has(/^Samples\/s per worker/, /rate\(chorus_worker_samples_trained_total/);
  has(/^Training loss per member/, /chorus_worker_training_loss/);
  has(/^Accuracy: members, ensemble, teacher, students/, /chorus_accuracy/);
  has(/^Retries and failures/, /chorus_task_retries_total/);
  has(/^Retries and failures/, /chorus_task_failures_total/);
  has(/^Event-loop lag/, /nodejs_eventloop_lag/);
  has(/^Memory/, /process_resident_memory_bytes/);
  has(/^Busy slots by priority/, /sum by \(priority\) \(chorus_busy_slots\)/);
  has(/^Busy slots by client/, /sum by \(client\) \(chorus_busy_slots\)/);
  has(/^GPU slots/, /chorus_worker_gpu_busy_slots/);
  has(/^Samples trained per second by GPU/, /chorus_worker_gpu_samples_trained_total/);
});

test('every panel query names only metrics Chorus exports, and every Chorus metric is on the dashboard', async () => {
  const exported = await exportedMetricNames();
  exported.add('up');
  const used = new Set<string>();
  for (const { panel, target, expr } of targets(await dashboard())) {
    const names = promqlMetricNames(expr);
    assert.ok(names.length > 0, `${panel.title} ${target.refId}: no metric`);
    for (const n of names) {
      assert.ok(exported.has(n), `${panel.title} ${target.refId} uses ${n}, which Chorus does not export`);
      used.add(n.replace(/_(bucket|sum|count)$/, ''));
    }
  }
  const families = [...exported]
    .filter((n) => n.startsWith('chorus_'))
    .map((n) => n.replace(/_(bucket|sum|count)$/, ''));
  for (const family of new Set(families)) assert.ok(used.has(family), `${family} is on no panel`);
});

test('every panel query parses: promtool check rules on them as recording rules (offline)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-dashboard-'));
  try {
    const rules = targets(await dashboard()).map(({ panel, target, expr }) => ({
      record: `dashboard:panel_${panel.id}_${target.refId}`,
      expr,
    }));
    const file = join(dir, 'dashboard-rules.yaml');
    await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = await runCommand(findBinary('promtool'), ['check', 'rules', file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));

    // The same check rejects a broken query: it can fail.
    await writeFile(
      file,
      stringify({ groups: [{ name: 'bad', rules: [{ record: 'x:y', expr: 'sum(rate(up[5m])' }] }] }),
    );
    const bad = await runCommand(findBinary('promtool'), ['check', 'rules', file]);
    assert.notEqual(bad.code, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every panel query runs on a real Prometheus scraping a coordinator and a worker, and returns series', async () => {
  const coordinatorRegistry = new Registry();
  const workerRegistry = new Registry();
  const { coordinator } = populate(coordinatorRegistry, workerRegistry);
  const c = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: coordinatorRegistry });
  const w = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: workerRegistry });
  const prometheus = await startPrometheus({
    scrape: [
      { job: 'chorus-coordinator', targets: [`127.0.0.1:${c.port}`] },
      { job: 'chorus-worker', targets: [`127.0.0.1:${w.port}`] },
    ],
  });
  try {
    // Rates need two samples in their window.
    await prometheus.waitFor('count_over_time(up[5m]) >= 3', (s) => s.length === 2);
    const failures: string[] = [];
    for (const { panel, target, expr } of targets(await dashboard())) {
      const answer = await prometheus.queryRaw(expr);
      if (answer.status !== 'success') {
        failures.push(`${panel.title} ${target.refId}: ${answer.error}`);
        continue;
      }
      const result = answer.data.result as unknown[];
      if (result.length === 0) failures.push(`${panel.title} ${target.refId}: no series for ${expr}`);
    }
    assert.deepEqual(failures, []);
  } finally {
    await prometheus.stop();
    await c.close();
    await w.close();
    coordinator.close();
  }
});
