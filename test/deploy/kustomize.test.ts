import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ENV } from '../../cli/env.ts';
import { DEFAULTS } from '../../cli/options.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import { accountsConfig } from '../../cluster/nats/natsAccountsConfig.ts';
import { NATS_ACCOUNTS } from '../../cluster/nats/workerPermissions.ts';
import { DEFAULT_METRICS_PORTS } from '../../observability/metricsServer.ts';
import { findNatsServer } from '../support/natsServer.ts';
import { runCommand } from './runCommand.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const CLI_ENV = new Set<string>(Object.values(ENV));
const GRPC_PORT = 50051;
const IMAGE = 'registry.example.com/chorus';

/* A loose view of the Kubernetes objects the checks read. */
type Labels = Record<string, string>;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  affinity?: {
    podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey?: string }[] };
  };
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  spec?: {
    selector?:
      | Labels
      | { matchLabels?: Labels; matchExpressions?: { key: string; operator: string; values: string[] }[] };
    template?: { metadata: { labels: Labels }; spec: PodSpec };
    ports?: { name: string; port: number; targetPort?: string | number }[];
    endpoints?: { port: string; path: string }[];
    scaleTargetRef?: { name: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers?: { type: string; metadata: Record<string, string> }[];
    volumeClaimTemplates?: {
      metadata: { name: string };
      spec: { resources: { requests: { storage: string } } };
    }[];
  };
  data?: Record<string, string>;
}

async function render(overlay: string): Promise<K8sObject[]> {
  const r = await runCommand('kubectl', ['kustomize', `${repo}deploy/k8s/overlays/${overlay}`]).catch(
    (err: Error) => {
      throw new Error(`kubectl is needed to render the manifests (any version from 1.14): ${err.message}`);
    },
  );
  assert.equal(r.code, 0, `kubectl kustomize ${overlay} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject);
}

const contains = (labels: Labels | undefined, want: Labels) =>
  Object.entries(want).every(([k, v]) => labels?.[k] === v);

function one(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  assert.equal(found.length, 1, `one ${kind} ${name}`);
  return found[0]!;
}

/** Kustomize appends a hash to generated names: `chorus-config` → `chorus-config-5g7h…`. */
function generated(objects: K8sObject[], kind: string, base: string): K8sObject {
  const found = objects.filter(
    (o) => o.kind === kind && new RegExp(`^${base}(-[a-z0-9]{10})?$`).test(o.metadata.name),
  );
  assert.equal(found.length, 1, `one ${kind} generated from ${base}`);
  return found[0]!;
}

function selectorLabels(o: K8sObject): {
  matchLabels: Labels;
  matchExpressions: { key: string; operator: string; values: string[] }[];
} {
  const sel = o.spec?.selector as { matchLabels?: Labels; matchExpressions?: [] } | undefined;
  return { matchLabels: sel?.matchLabels ?? {}, matchExpressions: sel?.matchExpressions ?? [] };
}

function matchesSelector(labels: Labels | undefined, o: K8sObject): boolean {
  const { matchLabels, matchExpressions } = selectorLabels(o);
  if (!contains(labels, matchLabels)) return false;
  return matchExpressions.every((e) => {
    assert.equal(e.operator, 'In', 'only In expressions are checked here');
    return e.values.includes(labels?.[e.key] ?? '');
  });
}

function podSpecs(objects: K8sObject[]): { owner: K8sObject; spec: PodSpec; labels: Labels }[] {
  return objects
    .filter((o) => o.spec?.template)
    .map((o) => ({ owner: o, spec: o.spec!.template!.spec, labels: o.spec!.template!.metadata.labels }));
}

function container(objects: K8sObject[], kind: string, name: string, containerName: string): Container {
  const c = one(objects, kind, name).spec?.template?.spec.containers.find((x) => x.name === containerName);
  assert.ok(c, `${kind} ${name} has a container ${containerName}`);
  return c;
}

function portNumber(c: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/**
 * Two NATS users: the coordinator and the workers each log in with their own name and password from
 * the Secret, which the NATS server's config reads from the same keys; the config holds the accounts
 * `chorus nats-permissions` prints for the prefix; and nats-server accepts the config as rendered.
 */
async function checkNatsUsers(
  objects: K8sObject[],
  secret: K8sObject,
  natsContainer: Container,
  natsConf: string,
  prefix: string | undefined,
): Promise<void> {
  const keyOf = (c: Container) => new Map((c.env ?? []).map((e) => [e.name, e.valueFrom?.secretKeyRef?.key]));
  const server = keyOf(natsContainer);
  const decode = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  for (const role of ['coordinator', 'worker']) {
    const env = keyOf(container(objects, 'Deployment', `chorus-${role}`, role));
    assert.equal(env.get(ENV.natsUser), `${role}-user`, `the ${role}'s ${ENV.natsUser}`);
    assert.equal(env.get(ENV.natsPassword), `${role}-password`, `the ${role}'s ${ENV.natsPassword}`);
    const upper = role.toUpperCase();
    assert.equal(server.get(`NATS_${upper}_USER`), `${role}-user`);
    assert.equal(server.get(`NATS_${upper}_PASSWORD`), `${role}-password`);
    assert.ok(decode(`${role}-user`) && decode(`${role}-password`), `the Secret has the ${role}'s login`);
  }
  assert.notEqual(decode('coordinator-user'), decode('worker-user'), 'two users, not one');
  const squash = (s: string) => s.replace(/\s+/g, ' ');
  assert.match(natsConf, /\{ user: \$NATS_COORDINATOR_USER, password: \$NATS_COORDINATOR_PASSWORD \}/);
  assert.ok(
    squash(natsConf).includes(squash(accountsConfig({ prefix }))),
    `nats.conf carries \`chorus nats-permissions --nats-prefix ${prefix}\` (the two accounts, the workers' permissions)`,
  );
  // nats-server parses it, with every variable set from the container's environment.
  const dir = await mkdtemp(join(tmpdir(), 'chorus-nats-conf-'));
  try {
    const file = join(dir, 'nats.conf');
    await writeFile(file, natsConf);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' };
    for (const name of server.keys()) env[name] = `value-of-${name}`;
    for (const e of natsContainer.env ?? []) env[e.name] ??= `value-of-${e.name}`;
    const r = await runCommand(findNatsServer(), ['-t', '-c', file], { env });
    assert.equal(r.code, 0, `nats-server -t refused the rendered nats.conf:\n${r.stdout}${r.stderr}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Three NATS servers clustered by routes to each pod of the StatefulSet, streams in three copies,
 * two coordinators (a leader and a standby that names itself by its pod IP), and disruption budgets
 * that never take two NATS servers or both coordinators at once.
 */
function checkHighAvailability(objects: K8sObject[], natsConf: string, config: Record<string, string>): void {
  const nats = one(objects, 'StatefulSet', 'chorus-nats');
  const natsSpec = nats.spec as { replicas?: number; podManagementPolicy?: string } | undefined;
  assert.equal(natsSpec?.replicas, 3, 'three NATS servers');
  assert.equal(
    natsSpec?.podManagementPolicy,
    'Parallel',
    'started together (each needs the others to elect)',
  );
  const headless = one(objects, 'Service', 'chorus-nats-headless');
  assert.equal((headless.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses, true);
  const cluster = headless.spec?.ports?.find((p) => p.name === 'cluster')?.port;
  for (let i = 0; i < 3; i++) {
    assert.ok(
      natsConf.includes(`nats-route://chorus-nats-${i}.chorus-nats-headless:${cluster}`),
      `nats.conf routes to pod ${i}`,
    );
  }
  assert.match(natsConf, new RegExp(`^cluster \\{[^}]*port: ${cluster}`, 'm'));
  assert.equal(config[ENV.natsReplicas], '3', 'every stream in three copies');
  const coordinator = one(objects, 'Deployment', 'chorus-coordinator');
  assert.equal(
    (coordinator.spec as { replicas?: number } | undefined)?.replicas,
    2,
    'a leader and a standby',
  );
  const advertise = coordinator.spec?.template?.spec.containers[0]?.env?.find(
    (e) => e.name === ENV.advertise,
  );
  assert.equal(
    (advertise?.valueFrom as { fieldRef?: { fieldPath?: string } } | undefined)?.fieldRef?.fieldPath,
    'status.podIP',
    'a standby redirects to the leader pod itself',
  );
  for (const [name, covered] of [
    ['chorus-nats', nats],
    ['chorus-coordinator', coordinator],
  ] as const) {
    const pdb = one(objects, 'PodDisruptionBudget', name);
    assert.equal((pdb.spec as { maxUnavailable?: number } | undefined)?.maxUnavailable, 1, name);
    assert.ok(
      matchesSelector(covered.spec?.template?.metadata.labels, pdb),
      `${name}'s budget covers its pods`,
    );
  }
}

/** Checks every overlay must pass; returns the rendered objects for overlay-specific checks. */
async function checkOverlay(overlay: string): Promise<K8sObject[]> {
  const objects = await render(overlay);
  const kinds = new Set(objects.map((o) => o.kind));
  for (const kind of [
    'Namespace',
    'Deployment',
    'StatefulSet',
    'Service',
    'ConfigMap',
    'Secret',
    'PodDisruptionBudget',
    'ServiceMonitor',
    'PrometheusRule',
    'ScaledObject',
  ]) {
    assert.ok(kinds.has(kind), `${overlay} renders a ${kind}`);
  }
  for (const o of objects) {
    if (o.kind !== 'Namespace')
      assert.equal(o.metadata.namespace, 'chorus', `${o.kind} ${o.metadata.name} namespace`);
  }

  // Workloads: selectors match their pod labels.
  const pods = podSpecs(objects);
  assert.equal(pods.length, 3, 'coordinator, worker and NATS');
  for (const { owner, labels } of pods) {
    assert.ok(
      Object.keys(selectorLabels(owner).matchLabels).length > 0,
      `${owner.metadata.name} has a selector`,
    );
    assert.ok(
      matchesSelector(labels, owner),
      `${owner.kind} ${owner.metadata.name}: selector matches its pod labels`,
    );
  }

  // Services select exactly one workload, and their target ports exist on its containers.
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const sel = svc.spec?.selector as Labels;
    const targets = pods.filter((p) => contains(p.labels, sel));
    assert.equal(targets.length, 1, `Service ${svc.metadata.name} selects one workload`);
    const spec = targets[0]!.spec;
    for (const port of svc.spec?.ports ?? []) {
      const found = spec.containers.some((c) => portNumber(c, port.targetPort ?? port.port) !== undefined);
      assert.ok(found, `Service ${svc.metadata.name} port ${port.name} targets a container port`);
    }
  }

  // Every container has requests and limits for cpu and memory.
  for (const { owner, spec } of pods) {
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      for (const part of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          assert.ok(c.resources?.[part]?.[resource], `${owner.metadata.name}/${c.name} ${part}.${resource}`);
        }
      }
    }
  }

  // The chorus processes: env names the CLI reads, references that resolve, probes on the real endpoints.
  const configMap = generated(objects, 'ConfigMap', 'chorus-config');
  const secret = generated(objects, 'Secret', 'chorus-nats-credentials');
  for (const key of Object.keys(configMap.data ?? {}))
    assert.ok(CLI_ENV.has(key), `ConfigMap key ${key} is a CLI env name`);
  for (const { owner, spec } of pods) {
    for (const c of spec.containers.filter((x) => x.image.startsWith(IMAGE))) {
      for (const e of c.env ?? []) {
        assert.ok(
          CLI_ENV.has(e.name),
          `${owner.metadata.name}: env ${e.name} is not read by the CLI (cli/env.ts)`,
        );
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          assert.equal(ref.name, secret.metadata.name);
          assert.ok(secret.data?.[ref.key], `Secret key ${ref.key}`);
        }
      }
      for (const from of c.envFrom ?? []) {
        assert.equal(from.configMapRef?.name, configMap.metadata.name, `${owner.metadata.name} envFrom`);
      }
    }
  }

  const checkProcess = (name: string, containerName: string, metricsPort: number) => {
    const c = container(objects, 'Deployment', name, containerName);
    assert.ok(c.image.startsWith(`${IMAGE}:`), `${name} image ${c.image}`);
    const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.get(ENV.metricsPort), String(metricsPort), `${name} ${ENV.metricsPort}`);
    assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${name} liveness path`);
    assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${name} readiness path`);
    assert.equal(c.startupProbe?.httpGet?.path, '/healthz', `${name} startup path`);
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      assert.equal(portNumber(c, probe?.httpGet?.port), metricsPort, `${name} probe port`);
    }
    return { c, env };
  };
  const coord = checkProcess('chorus-coordinator', 'coordinator', DEFAULT_METRICS_PORTS.coordinator);
  assert.equal(coord.env.get(ENV.grpcListen), `0.0.0.0:${GRPC_PORT}`);
  assert.equal(portNumber(coord.c, 'grpc'), GRPC_PORT);
  const worker = checkProcess('chorus-worker', 'worker', DEFAULT_METRICS_PORTS.worker);
  // One task per CPU worker pod; a GPU pod's slots are its GPUs × slots per GPU (its own test).
  if (!worker.env.has(ENV.gpus)) assert.equal(worker.env.get(ENV.slots), '1', 'one task per worker pod');

  // Workers and clients reach the coordinator's Service on its gRPC port.
  const coordSvc = one(objects, 'Service', 'chorus-coordinator');
  const grpcPort = coordSvc.spec?.ports?.find((p) => p.name === 'grpc')?.port;
  assert.equal(configMap.data?.[ENV.coordinator], `chorus-coordinator:${grpcPort}`);

  // The NATS URL points at its Service and carries no credentials: each process has its own user.
  const url = new URL(configMap.data?.[ENV.natsUrl] ?? '');
  const natsSvc = one(objects, 'Service', 'chorus-nats');
  const clientPort = natsSvc.spec?.ports?.find((p) => p.name === 'client')?.port;
  assert.equal(`${url.protocol}//${url.hostname}:${url.port}`, `nats://chorus-nats:${clientPort}`);
  assert.equal(url.username + url.password, '', `no credentials in ${ENV.natsUrl}`);

  // NATS: JetStream on a persistent volume.
  const nats = one(objects, 'StatefulSet', 'chorus-nats');
  const claim = nats.spec?.volumeClaimTemplates?.[0];
  assert.ok(claim?.spec.resources.requests.storage, 'a PVC template with a size');
  const natsContainer = nats.spec!.template!.spec.containers[0]!;
  const dataMount = natsContainer.volumeMounts?.find((m) => m.name === claim.metadata.name)?.mountPath;
  const natsConf = generated(objects, 'ConfigMap', 'chorus-nats-config').data?.['nats.conf'] ?? '';
  const storeDir = /store_dir:\s*(\S+)/.exec(natsConf)?.[1];
  assert.ok(
    dataMount && storeDir?.startsWith(`${dataMount}/`),
    `JetStream store ${storeDir} on the PVC at ${dataMount}`,
  );
  assert.match(natsConf, /^jetstream \{/m);
  const monitorPort = natsSvc.spec?.ports?.find((p) => p.name === 'monitor')?.port;
  assert.match(natsConf, new RegExp(`^http_port: ${monitorPort}$`, 'm'));
  for (const probe of [natsContainer.livenessProbe, natsContainer.readinessProbe]) {
    assert.equal(portNumber(natsContainer, probe?.httpGet?.port), monitorPort);
  }
  await checkNatsUsers(objects, secret, natsContainer, natsConf, configMap.data?.[ENV.natsPrefix]);

  // PodDisruptionBudget covers the workers.
  const pdb = one(objects, 'PodDisruptionBudget', 'chorus-worker');
  assert.ok(
    matchesSelector(one(objects, 'Deployment', 'chorus-worker').spec?.template?.metadata.labels, pdb),
  );

  checkHighAvailability(objects, natsConf, configMap.data ?? {});

  // ServiceMonitor: selects the coordinator and worker Services (scrape jobs named as the alerts expect).
  const sm = one(objects, 'ServiceMonitor', 'chorus');
  const scraped = objects.filter((o) => o.kind === 'Service' && matchesSelector(o.metadata.labels, sm));
  assert.deepEqual(scraped.map((s) => s.metadata.name).sort(), ['chorus-coordinator', 'chorus-worker']);
  const alerts = await readFile(`${repo}deploy/prometheus/alerts.yaml`, 'utf8');
  for (const s of scraped) {
    assert.match(
      alerts,
      new RegExp(`job="${s.metadata.name}"`),
      `the alerts watch the ${s.metadata.name} job`,
    );
    for (const ep of sm.spec?.endpoints ?? []) {
      const port = s.spec?.ports?.find((p) => p.name === ep.port);
      assert.ok(port, `Service ${s.metadata.name} has the port ${ep.port}`);
      assert.equal(ep.path, '/metrics');
      assert.ok(
        port.port === DEFAULT_METRICS_PORTS.coordinator || port.port === DEFAULT_METRICS_PORTS.worker,
        'the metrics port',
      );
    }
  }

  // KEDA scales the worker Deployment on the lag of the task consumer, read from NATS monitoring.
  const so = one(objects, 'ScaledObject', 'chorus-worker');
  assert.equal(so.spec?.scaleTargetRef?.name, 'chorus-worker');
  assert.ok(
    (so.spec?.minReplicaCount ?? 0) >= 1 && (so.spec?.maxReplicaCount ?? 0) > (so.spec?.minReplicaCount ?? 0),
  );
  const trigger = so.spec?.triggers?.find((t) => t.type === 'nats-jetstream');
  assert.ok(trigger, 'a nats-jetstream trigger');
  const names = natsNames(configMap.data?.[ENV.natsPrefix]);
  assert.equal(trigger.metadata.stream, names.taskStream);
  assert.equal(trigger.metadata.consumer, names.taskConsumer);
  assert.equal(
    trigger.metadata.natsServerMonitoringEndpoint,
    `chorus-nats.chorus.svc.cluster.local:${monitorPort}`,
  );
  assert.equal(trigger.metadata.account, NATS_ACCOUNTS.chorus, 'JetStream lives in the Chorus account');
  // The coordinator holds all but a window of the ready tasks back: the tasks waiting are its queue depth.
  const depth = so.spec?.triggers?.find((t) => t.type === 'prometheus');
  assert.equal(depth?.metadata.query, 'sum(chorus_queue_depth)');
  assert.equal(depth?.metadata.threshold, '1');

  // The dashboard ConfigMap for Grafana's sidecar holds the dashboard file as it is.
  const dash = one(objects, 'ConfigMap', 'chorus-grafana-dashboard');
  assert.equal(dash.metadata.labels?.grafana_dashboard, '1');
  assert.equal(
    dash.data?.['chorus-dashboard.json'],
    await readFile(`${repo}deploy/grafana/chorus-dashboard.json`, 'utf8'),
  );
  return objects;
}

test("the manifests' ports are the CLI's defaults", () => {
  assert.equal(DEFAULTS.coordinatorMetricsPort, DEFAULT_METRICS_PORTS.coordinator);
  assert.equal(DEFAULTS.workerMetricsPort, DEFAULT_METRICS_PORTS.worker);
  assert.equal(DEFAULTS.grpcListen, `0.0.0.0:${GRPC_PORT}`);
  assert.equal(DEFAULTS.natsPrefix, 'chorus');
});

test('kubectl kustomize renders the cpu overlay, and its objects pass the checks', async () => {
  const objects = await checkOverlay('cpu');
  const cm = generated(objects, 'ConfigMap', 'chorus-config');
  assert.equal(cm.data?.[ENV.backend], 'tensorflow');
  const w = container(objects, 'Deployment', 'chorus-worker', 'worker');
  assert.ok(w.image.endsWith('-cpu'));
  assert.equal(w.resources?.limits?.['nvidia.com/gpu'], undefined);
});

test('kubectl kustomize renders the gpu overlay: one worker pod per GPU node with all its GPUs, two processes on each', async () => {
  const objects = await checkOverlay('gpu');
  const cm = generated(objects, 'ConfigMap', 'chorus-config');
  assert.equal(cm.data?.[ENV.backend], 'tensorflow-gpu');
  const deployment = one(objects, 'Deployment', 'chorus-worker');
  const w = container(objects, 'Deployment', 'chorus-worker', 'worker');
  assert.ok(w.image.endsWith('-gpu'));
  const gpus = Number(w.resources?.limits?.['nvidia.com/gpu']);
  assert.equal(gpus, 4);
  const env = (name: string) => w.env?.find((e) => e.name === name)?.value;
  assert.equal(env(ENV.isolation), 'process');
  assert.equal(env(ENV.gpus), '0,1,2,3', 'every GPU the pod is given');
  assert.equal(env(ENV.slotsPerGpu), '2');
  assert.equal(Number(env(ENV.slots)), gpus * 2, 'slots agree with GPUs × slots per GPU');
  assert.equal(env(ENV.gpu), undefined, 'no single-GPU pin');
  const antiAffinity = deployment.spec?.template?.spec.affinity?.podAntiAffinity;
  assert.equal(
    antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey,
    'kubernetes.io/hostname',
    'one worker pod per node',
  );
  assert.ok(
    deployment.spec?.template?.spec.tolerations?.some(
      (t) => t.key === 'nvidia.com/gpu' && t.effect === 'NoSchedule',
    ),
  );
  // Only the workers ask for GPUs.
  for (const name of ['chorus-coordinator']) {
    assert.equal(
      container(objects, 'Deployment', name, 'coordinator').resources?.limits?.['nvidia.com/gpu'],
      undefined,
    );
  }
});

/**
 * What kustomize v2.0 (kubectl 1.14-1.20; Debian's kubernetes-client, which CI installs when no
 * kubectl is present) reads. Fields it does not know make it fail (`patches`) or, worse, be ignored
 * (`labels`), so every kubectl renders the same objects only if the kustomizations keep to these.
 */
const KUSTOMIZE_V2_FIELDS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'commonAnnotations',
  'resources',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'patchesStrategicMerge',
  'patchesJson6902',
  'images',
  'vars',
  'crds',
]);
const GENERATOR_V2_FIELDS = new Set(['name', 'behavior', 'literals', 'files', 'env', 'type']);

test('the kustomizations use only fields kustomize v2 knows, and no directory under resources', async () => {
  const files = [
    'deploy/k8s/base/kustomization.yaml',
    'deploy/k8s/overlays/cpu/kustomization.yaml',
    'deploy/k8s/overlays/gpu/kustomization.yaml',
    'deploy/grafana/kustomization.yaml',
  ];
  for (const file of files) {
    const k = parseAllDocuments(await readFile(`${repo}${file}`, 'utf8'))[0]?.toJS() as Record<
      string,
      unknown
    >;
    for (const key of Object.keys(k)) assert.ok(KUSTOMIZE_V2_FIELDS.has(key), `${file}: ${key}`);
    for (const gen of [
      ...((k.configMapGenerator ?? []) as Record<string, unknown>[]),
      ...((k.secretGenerator ?? []) as Record<string, unknown>[]),
    ]) {
      for (const key of Object.keys(gen))
        assert.ok(GENERATOR_V2_FIELDS.has(key), `${file}: generator ${key}`);
    }
    // v2 loads only files from `resources`; other kustomizations go under `bases`.
    for (const r of (k.resources ?? []) as string[]) assert.match(r, /\.ya?ml$/, `${file}: resource ${r}`);
  }
});
