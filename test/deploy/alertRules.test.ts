import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { findBinary } from '../support/prometheus.ts';
import { exportedMetricNames } from '../observability/populatedMetrics.ts';
import { promqlMetricNames } from './promqlMetricNames.ts';
import { runCommand } from './runCommand.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const alertsFile = `${repo}deploy/prometheus/alerts.yaml`;
const alertsTestFile = `${repo}deploy/prometheus/alerts.test.yaml`;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface RuleTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const EXPECTED_ALERTS = [
  'ChorusCoordinatorDown',
  'ChorusQueueStuck',
  'ChorusTaskFailureRate',
  'ChorusWorkerDown',
];

async function rules(): Promise<Rule[]> {
  const file = parse(await readFile(alertsFile, 'utf8')) as RuleFile;
  return file.groups.flatMap((g) => g.rules);
}

test('promtool check rules passes on deploy/prometheus/alerts.yaml', async () => {
  const r = await runCommand(findBinary('promtool'), ['check', 'rules', alertsFile]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 4 rules found/);
});

test('promtool test rules passes, and every alert fires in at least one test', async () => {
  const r = await runCommand(findBinary('promtool'), ['test', 'rules', alertsTestFile]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
  const tests = parse(await readFile(alertsTestFile, 'utf8')) as RuleTests;
  assert.deepEqual(tests.rule_files, ['alerts.yaml']);
  const fired = new Set(
    tests.tests.flatMap((t) =>
      t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
    ),
  );
  assert.deepEqual([...fired].sort(), EXPECTED_ALERTS);
});

test('the alerts are the four of the issue, with a severity, a summary, and only metrics Chorus exports', async () => {
  const all = await rules();
  assert.deepEqual(all.map((r) => r.alert).sort(), EXPECTED_ALERTS);
  const exported = await exportedMetricNames();
  exported.add('up'); // Prometheus' own per-target series
  for (const rule of all) {
    assert.ok(['critical', 'warning'].includes(rule.labels?.severity ?? ''), `${rule.alert} severity`);
    assert.ok(rule.annotations?.summary, `${rule.alert} summary`);
    const names = promqlMetricNames(rule.expr);
    assert.ok(names.length > 0, `${rule.alert} selects no metric?`);
    for (const name of names)
      assert.ok(exported.has(name), `${rule.alert} uses ${name}, which Chorus does not export`);
  }
});

test('the PrometheusRule of the Kubernetes base holds exactly the groups of alerts.yaml', async () => {
  const file = parse(await readFile(alertsFile, 'utf8')) as RuleFile;
  const crd = parse(await readFile(`${repo}deploy/k8s/base/prometheusrule.yaml`, 'utf8')) as {
    kind: string;
    spec: RuleFile;
  };
  assert.equal(crd.kind, 'PrometheusRule');
  // YAML folding differs; the rules must not.
  const norm = (f: RuleFile) =>
    JSON.parse(JSON.stringify(f.groups), (_k, v: unknown) =>
      typeof v === 'string' ? v.replace(/\s+/g, ' ').trim() : v,
    ) as unknown;
  assert.deepEqual(norm(crd.spec), norm(file));
});

test('docs/operations.md explains every alert', async () => {
  const doc = await readFile(`${repo}docs/operations.md`, 'utf8');
  for (const name of EXPECTED_ALERTS)
    assert.match(doc, new RegExp(`^#+ .*${name}`, 'm'), `a heading for ${name}`);
});

test('promqlMetricNames finds the metrics and nothing else', () => {
  assert.deepEqual(
    promqlMetricNames(
      'histogram_quantile(0.95, sum by (le, kind) (rate(chorus_task_duration_seconds_bucket{kind!="x"}[5m]))) ' +
        '> on(job) group_left(instance) max without (a) (up offset 5m) and absent(foo_bar{job="x"}) or vector(0)',
    ),
    ['chorus_task_duration_seconds_bucket', 'foo_bar', 'up'],
  );
});
