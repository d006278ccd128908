/**
 * Environment variables the CLI reads, each the default of a flag (flags win). Kubernetes manifests
 * and Dockerfiles use exactly these names; a test checks that they do.
 */
export const ENV = {
  /** NATS server URL(s), comma-separated: `--nats`. */
  natsUrl: 'CHORUS_NATS_URL',
  /** Prefix of every NATS stream, bucket and subject: `--nats-prefix`. */
  natsPrefix: 'CHORUS_NATS_PREFIX',
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
  /** Folder for a worker's downloaded data and scratch files: `chorus worker --cache`. */
  cacheDir: 'CHORUS_CACHE_DIR',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
