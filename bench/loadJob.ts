/**
 * The load benchmark's job: `members` replicas of a tiny dense model on ~200 synthetic samples, one
 * epoch, hard and soft voting, no distillation. The work is a fraction of a second per task: what is
 * measured is orchestration, not training. Plans `2 × members + 1` tasks (train and predict per
 * member, then the report on the coordinator).
 */
export function loadJob(name: string, members: number, seed = 1): string {
  return `
name: ${name}
seed: ${seed}
data:
  train: { format: synthetic, count: 200, features: 8, classes: 3, separation: 1.5, seed: ${seed}, sampleSeed: 1 }
  test: { format: synthetic, count: 60, features: 8, classes: 3, separation: 1.5, seed: ${seed}, sampleSeed: 2 }
  validationSplit: 0.2
members:
  - name: m
    replicas: ${members}
    layers: [{ type: dense, units: 4, activation: relu }]
    train: { epochs: 1, batchSize: 32, learningRate: 0.01 }
ensemble:
  methods: [hard, soft]
runtime:
  backend: wasm
`;
}
