/**
 * Upper bounds on what a job file may ask for. Each is far above any sensible job and far below what
 * would exhaust memory or hang the parser or the planner: a typo such as `epochs: 1e12` or
 * `replicas: 1e9` is refused at once, with the limit named, instead of running (or allocating) for ever.
 */
export const SPEC_LIMITS = {
  /** Bytes of job-file text; job files are small, data lives in data files. */
  jobTextBytes: 256 * 1024,
  epochs: 100_000,
  batchSize: 1_000_000,
  /** Units of a dense layer, filters of a conv2d layer. */
  layerWidth: 65_536,
  /** Kernel, pool and stride sizes. */
  windowSize: 4096,
  /** One dimension of a shape (`sampleShape`, `targetShape`). */
  dimension: 16_777_216,
  layersPerModel: 1000,
  /** Entries of `members`, replicas of one entry, and members after expanding replicas. */
  members: 1000,
  classes: 65_536,
  shards: 10_000,
  /** Values of one temperature or alpha sweep, and student runs in all. */
  sweepValues: 100,
  students: 1000,
  slots: 1024,
  maxAttempts: 100,
  /** Seconds between epoch checkpoints: a day. */
  checkpointSeconds: 86_400,
  /** Synthetic data: samples, features per sample, and their product (float32 values held in memory). */
  syntheticCount: 10_000_000,
  syntheticFeatures: 1_000_000,
  syntheticValues: 50_000_000,
  /** Seeds stay well inside the safe integers after the offsets added per member, replica and student. */
  seedMagnitude: 2 ** 50,
  /** Weights of one model (a float32 each, plus optimizer state): 100 M is 400 MB before Adam's copies. */
  modelParameters: 100_000_000,
  /** Values one sample produces at any layer (memory per sample of a batch, times the batch size). */
  activationValues: 16_777_216,
  /** Bytes of a model file's model.json (its topology; the weights are in other files). */
  modelJsonBytes: 64 * 1024 * 1024,
  /** Bytes of a model file's weights: as many float32 values as `modelParameters`. */
  modelWeightBytes: 4 * 100_000_000,
} as const;
