/**
 * Small synthetic jobs for the distributed tests: seconds of work each on wasm, so that the whole
 * folder stays within a few minutes on a shared 2-core machine.
 */

/**
 * Members, an ensemble with every method, and a distilled student (offline and online teacher, with
 * augmentation and a schedule): every task kind runs once. The samples are 2×5 images so they can be
 * augmented; the dense layers see them flattened, as 10 features.
 */
export function fullJob(name: string): string {
  return `
name: ${name}
seed: 3
data:
  train: { format: synthetic, count: 400, features: 10, classes: 3, separation: 1.5, seed: 3, sampleSeed: 1 }
  test: { format: synthetic, count: 200, features: 10, classes: 3, separation: 1.5, seed: 3, sampleSeed: 2 }
  validationSplit: 0.2
  sampleShape: [2, 5]
members:
  - name: mlp
    replicas: 2
    layers: [{ type: dense, units: 12, activation: relu }]
    train: { epochs: 3, batchSize: 32, learningRate: 0.01 }
  - name: tanh
    bootstrap: true
    layers: [{ type: dense, units: 8, activation: tanh }]
    train: { epochs: 3, batchSize: 32, learningRate: 0.01 }
ensemble:
  methods: [hard, soft, stacking]
distillation:
  student:
    layers: [{ type: dense, units: 4, activation: relu }]
    train: { epochs: 2, batchSize: 32, learningRate: 0.01, schedule: { type: cosine, warmupEpochs: 1 } }
    augment: { translate: 1, flip: true }
  temperature: 2
  alpha: 0.7
  baseline: false
  shards: 2
  teacherTargets: [offline, online]
runtime:
  slots: 2
  backend: wasm
`;
}

/**
 * Members only, with enough epochs (each a fraction of a second) that a process can be killed or
 * restarted while one trains, and a checkpoint exists to resume from.
 */
export function membersJob(
  name: string,
  options: { member?: string; replicas?: number; epochs?: number } = {},
): string {
  return `
name: ${name}
seed: 7
data:
  train: { format: synthetic, count: 3000, features: 16, classes: 3, separation: 1.5, seed: 7, sampleSeed: 1 }
  test: { format: synthetic, count: 200, features: 16, classes: 3, separation: 1.5, seed: 7, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - name: ${options.member ?? 'mlp'}
    replicas: ${options.replicas ?? 2}
    layers: [{ type: dense, units: 32, activation: relu }]
    train: { epochs: ${options.epochs ?? 8}, batchSize: 16, learningRate: 0.01 }
ensemble:
  methods: [hard, soft]
runtime:
  backend: wasm
  checkpointSeconds: 0 # every epoch: the tests kill processes mid-training and expect a resume
`;
}

/**
 * Two one-replica members: `<fast>` (one epoch by default; tests make it fail) and `slow` (by
 * default enough epochs to be still training when the other ends the job: ~13 s on an idle 2-core
 * machine, while a job whose task fails MaxDeliver times ends after ~4 s).
 */
export function slowAndFastJob(
  name: string,
  fast: string,
  { fastEpochs = 1, slowEpochs = 200 }: { fastEpochs?: number; slowEpochs?: number } = {},
): string {
  return `
name: ${name}
seed: 11
data:
  train: { format: synthetic, count: 3000, features: 16, classes: 3, separation: 1.5, seed: 11, sampleSeed: 1 }
  test: { format: synthetic, count: 200, features: 16, classes: 3, separation: 1.5, seed: 11, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - name: slow
    layers: [{ type: dense, units: 32, activation: relu }]
    train: { epochs: ${slowEpochs}, batchSize: 16, learningRate: 0.01 }
  - name: ${fast}
    layers: [{ type: dense, units: 8, activation: relu }]
    train: { epochs: ${fastEpochs}, batchSize: 16, learningRate: 0.01 }
ensemble:
  methods: [soft]
runtime:
  backend: wasm
`;
}
