import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import type { ReportInputs } from '../../coordinator/report/reportInputs.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';

/**
 * A realistic run's report inputs, made up but shaped like MNIST: 10 classes, 2000 test samples, five
 * members, hard/soft/stacking, a temperature sweep of distilled students and the baseline, 8-epoch histories.
 * With `calibrate`, the job sets `ensemble.calibrate` and 800 validation samples are drawn like the test ones.
 */
export function sampleInputs({ calibrate = false }: { calibrate?: boolean } = {}): ReportInputs {
  const job = parseJobText(`
name: mnist-demo
data:
  train: { format: mnist-bundled, count: 8000 }
  test: { format: mnist-bundled, start: 8000, count: 2000 }
members:
  - { name: mlp, replicas: 3, layers: [{ type: dense, units: 128, activation: relu }] }
  - { name: cnn, replicas: 2, layers: [{ type: conv2d, filters: 8, kernelSize: 3 }] }
  - { name: wide-mlp, layers: [{ type: dense, units: 512, activation: relu }] }
ensemble:
  methods: [hard, soft, stacking]
  weights: { cnn: 2 }
  calibrate: ${calibrate}
distillation:
  student: { name: student, layers: [{ type: dense, units: 32, activation: relu }] }
  temperature: [2, 4, 8]
  alpha: 0.9
`);
  const classes = 10;
  const n = 2000;
  const random = mulberry32(7);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const draw = (count: number) => ({
    labels: Int32Array.from({ length: count }, () => Math.floor(random() * classes)),
    // Each sample has a shared difficulty, so members make correlated mistakes as real ones do.
    difficulty: Float64Array.from({ length: count }, () => gaussian()),
  });
  const testSplit = draw(n);
  const labels = testSplit.labels;
  const logitsFor = (signal: number, noise: number, split = testSplit): Float32Array => {
    const { labels, difficulty } = split;
    const out = new Float32Array(labels.length * classes);
    for (let i = 0; i < labels.length; i++) {
      for (let c = 0; c < classes; c++) out[i * classes + c] = gaussian() * noise;
      out[i * classes + labels[i]!]! += signal - 2.2 * difficulty[i]!;
    }
    // Sharper than the noise alone makes them: trained networks are overconfident, not shy.
    for (let k = 0; k < out.length; k++) out[k]! *= 1.7;
    return out;
  };
  const strength: Record<string, number> = {
    'mlp-0': 5.3,
    'mlp-1': 5.4,
    'mlp-2': 5.2,
    'cnn-0': 5.7,
    'cnn-1': 5.65,
    'wide-mlp': 5.45,
  };
  const memberTestLogits = new Map(job.members.map((m) => [m.name, logitsFor(strength[m.name] ?? 4, 0.9)]));
  const studentStrength: Record<string, number> = {
    'student-T2-a0.9': 5.25,
    'student-T4-a0.9': 5.35,
    'student-T8-a0.9': 5.3,
    'student-baseline': 5,
  };
  const runs = job.distillation?.runs ?? [];
  const studentTestLogits = new Map(
    runs.map((r) => [r.name, logitsFor(studentStrength[r.name] ?? 3.5, 0.9)]),
  );

  const records = new Map<string, TaskRecord>();
  const add = (record: TaskRecord): void => void records.set(record.id, record);
  const curve = (start: number, end: number, epochs: number, wobble: number): number[] =>
    Array.from({ length: epochs }, (_, e) => end + (start - end) * Math.exp(-e / 1.8) + wobble * random());
  job.members.forEach((m, i) => {
    const epochs = m.group === 'cnn' ? 6 : 8;
    add({
      id: `train:${m.name}`,
      status: 'done',
      attempts: i === 2 ? 2 : 1,
      result: {
        type: 'train',
        seconds: m.group === 'cnn' ? 95 + 10 * random() : 31 + 5 * random(),
        epochs,
        samples: 7200,
        history: { loss: curve(1.1, 0.08, epochs, 0.02), valLoss: curve(0.6, 0.14, epochs, 0.03) },
        resumedFromEpoch: 0,
        backend: 'wasm',
      },
    });
    add({
      id: `predict:${m.name}`,
      status: 'done',
      attempts: 1,
      result: { type: 'predict', seconds: 1.2 + random() },
    });
  });
  add({
    id: 'stack',
    status: 'done',
    attempts: 1,
    result: { type: 'stack', seconds: 3.1, history: { loss: curve(2, 0.1, 30, 0.01) } },
  });
  for (let s = 0; s < 2; s++) {
    add({
      id: `soft-labels:${s}`,
      status: 'done',
      attempts: 1,
      result: { type: 'soft-labels', seconds: 6.5, start: s * 3600, end: (s + 1) * 3600 },
    });
  }
  for (const r of runs) {
    add({
      id: `distill:${r.name}`,
      status: 'done',
      attempts: 1,
      result: {
        type: 'distill',
        seconds: 14 + 3 * random(),
        epochs: 8,
        history:
          r.kind === 'baseline'
            ? { loss: curve(0.9, 0.12, 8, 0.02) }
            : { loss: curve(1.6 + r.temperature / 8, 0.3, 8, 0.02) },
        resumedFromEpoch: 0,
        backend: 'wasm',
      },
    });
  }
  const stackingTestLogits = logitsFor(5.9, 0.8);
  // Drawn last, so the test data above are the same with and without calibration.
  const validationSplit = calibrate ? draw(800) : undefined;
  return {
    job,
    backend: 'wasm',
    wallSeconds: 262.4,
    counts: { train: 7200, validation: 800, test: n, classes },
    ...(validationSplit
      ? {
          validationLabels: validationSplit.labels,
          memberValidationLogits: new Map(
            job.members.map((m) => [m.name, logitsFor(strength[m.name] ?? 4, 0.9, validationSplit)]),
          ),
        }
      : {}),
    testLabels: labels,
    memberTestLogits,
    stackingTestLogits,
    studentTestLogits,
    records,
    createdAt: '2026-11-28T12:00:00.000Z',
  };
}

/** A small seeded PRNG (uniform in [0, 1)), so the sample is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
