/**
 * Environment variables the CLI reads, each the default of a flag (flags win). Kubernetes manifests
 * and Dockerfiles use exactly these names; a test checks that they do.
 */
export const ENV = {
  /** NATS server URL(s), comma-separated: `--nats`. */
  natsUrl: 'CHORUS_NATS_URL',
  /** Prefix of every NATS stream, bucket and subject: `--nats-prefix`. */
  natsPrefix: 'CHORUS_NATS_PREFIX',
  /** Copies of every NATS stream and bucket (1, 3 or 5): `chorus coordinator --replicas`. */
  natsReplicas: 'CHORUS_NATS_REPLICAS',
  /** Coordinator: HOST[:PORT] clients reach it at, named by standbys (e.g. the pod IP): `chorus coordinator --advertise`. */
  advertise: 'CHORUS_ADVERTISE',
  /** Coordinator gRPC listen address HOST:PORT: `chorus coordinator --grpc`. */
  grpcListen: 'CHORUS_GRPC_LISTEN',
  /** Coordinator address HOST:PORT for workers and clients: `--coordinator`. */
  coordinator: 'CHORUS_COORDINATOR',
  /** Port of /metrics, /healthz and /readyz: `--metrics-port`. */
  metricsPort: 'CHORUS_METRICS_PORT',
  /** Worker task slots (threads): `chorus worker --slots`. */
  slots: 'CHORUS_SLOTS',
  /** tfjs backend: `--backend`. */
  backend: 'CHORUS_BACKEND',
  /** GPU index to pin a worker to: `chorus worker --gpu`. */
  gpu: 'CHORUS_GPU',
  /** Pool isolation, `thread` or `process`: `--isolation`. */
  isolation: 'CHORUS_ISOLATION',
  /** GPU indices, comma-separated, to place pool processes on: `--gpus`. */
  gpus: 'CHORUS_GPUS',
  /** Pool processes per GPU: `--slots-per-gpu`. */
  slotsPerGpu: 'CHORUS_SLOTS_PER_GPU',
  /** Worker name: its NATS user may write only this name's heartbeats: `chorus worker --worker-name`. */
  workerName: 'CHORUS_WORKER_NAME',
  /** Folder for a worker's downloaded data and scratch files: `chorus worker --cache`. */
  cacheDir: 'CHORUS_CACHE_DIR',
  /** Coordinator: file of accepted token hashes (auth on): `chorus coordinator --auth-tokens`. */
  authTokens: 'CHORUS_AUTH_TOKENS',
  /** This process's TLS certificate (PEM): the coordinator's, or a client's for mutual TLS: `--tls-cert`. */
  tlsCert: 'CHORUS_TLS_CERT',
  /** The private key of CHORUS_TLS_CERT (PEM): `--tls-key`. */
  tlsKey: 'CHORUS_TLS_KEY',
  /** Coordinator: CA that signs client certificates; requires them (mutual TLS): `--tls-client-ca`. */
  tlsClientCa: 'CHORUS_TLS_CLIENT_CA',
  /** Clients and workers: CA bundle to trust for the coordinator's certificate (turns TLS on): `--tls-ca`. */
  tlsCa: 'CHORUS_TLS_CA',
  /** Clients and workers: `true` connects with TLS trusting the public roots: `--tls`. */
  tls: 'CHORUS_TLS',
  /** Clients and workers: file holding the bearer token: `--token-file` (wins over CHORUS_TOKEN). */
  tokenFile: 'CHORUS_TOKEN_FILE',
  /** Clients and workers: the bearer token itself (e.g. from a Kubernetes Secret). */
  token: 'CHORUS_TOKEN',
  /** Coordinator and workers: NATS user name (with a password): `--nats-user`. */
  natsUser: 'CHORUS_NATS_USER',
  /** Coordinator and workers: file holding the NATS password: `--nats-password-file` (wins over CHORUS_NATS_PASSWORD). */
  natsPasswordFile: 'CHORUS_NATS_PASSWORD_FILE',
  /** Coordinator and workers: the NATS password itself (e.g. from a Kubernetes Secret); there is no flag. */
  natsPassword: 'CHORUS_NATS_PASSWORD',
  /** Coordinator and workers: file holding an nkey user seed, instead of a user and password: `--nats-nkey-file`. */
  natsNkeyFile: 'CHORUS_NATS_NKEY_FILE',
  /** Coordinator and workers: CA bundle (PEM) for the NATS server's certificate (turns TLS on): `--nats-tls-ca`. */
  natsTlsCa: 'CHORUS_NATS_TLS_CA',
  /** Coordinator and workers: client certificate (PEM) for a NATS server that verifies clients: `--nats-tls-cert`. */
  natsTlsCert: 'CHORUS_NATS_TLS_CERT',
  /** The private key of CHORUS_NATS_TLS_CERT (PEM): `--nats-tls-key`. */
  natsTlsKey: 'CHORUS_NATS_TLS_KEY',
  /** Coordinator: `true` lets higher-priority tasks preempt lower ones: `chorus coordinator --preempt`. */
  preempt: 'CHORUS_PREEMPT',
  /** Coordinator: seconds unserved after which a job competes one priority class higher: `--aging-seconds`. */
  agingSeconds: 'CHORUS_AGING_SECONDS',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
