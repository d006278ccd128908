import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskRecord } from '../../core/tasks/taskRecord.ts';
import type { ReportInputs } from '../../coordinator/report/reportInputs.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';
import type { ResolvedJob } from '../../core/spec/resolvedJob.ts';
import type { TaskResult } from '../../core/tasks/taskResult.ts';

export const MEMBERS = ['alpha-net', 'beta-net', 'gamma-net'] as const;
export const DISTILLED = 'student-T4-a0.9';
export const BASELINE = 'student-baseline';
export const CLASSES = 3;
export const LABELS = Int32Array.from([0, 1, 2, 1]);

/**
 * Hand-made probabilities per member (rows = the 4 test samples); the logits are their natural logs,
 * so softmax(logits) gives these rows back. Argmax per member: alpha [0,0,2,1] (3/4 right),
 * beta [1,1,0,2] (1/4), gamma [0,1,1,2] (2/4).
 */
export const MEMBER_PROBABILITIES: Record<(typeof MEMBERS)[number], number[][]> = {
  'alpha-net': [
    [0.75, 0.15, 0.1],
    [0.6, 0.3, 0.1],
    [0.1, 0.15, 0.75],
    [0.2, 0.7, 0.1],
  ],
  'beta-net': [
    [0.2, 0.7, 0.1],
    [0.2, 0.7, 0.1],
    [0.6, 0.3, 0.1],
    [0.1, 0.2, 0.7],
  ],
  'gamma-net': [
    [0.6, 0.3, 0.1],
    [0.25, 0.65, 0.1],
    [0.1, 0.5, 0.4],
    [0.2, 0.25, 0.55],
  ],
};

export function logitsOf(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat().map(Math.log));
}

/** Logits whose argmax per row is `classes` (one large logit per row). */
export function oneHotLogits(classes: number[], width = CLASSES): Float32Array {
  const out = new Float32Array(classes.length * width);
  classes.forEach((c, r) => {
    out[r * width + c] = 3;
  });
  return out;
}

export interface JobOptions {
  /** YAML list of ensemble methods. */
  methods?: string;
  /** YAML mapping of member weights. */
  weights?: string;
  /** More top-level YAML. */
  extra?: string;
  /** Sets `ensemble.calibrate` (makeInputs then adds validation labels and logits). */
  calibrate?: boolean;
}

export function makeJob({
  methods = '[hard, soft, stacking]',
  weights = '{}',
  extra = '',
  calibrate = false,
}: JobOptions = {}): ResolvedJob {
  return parseJobText(`
name: tiny-report
data:
  train: { format: synthetic, count: 100, classes: 3 }
  test: { format: synthetic, count: 4, classes: 3 }
members:
  - name: alpha-net
  - name: beta-net
  - name: gamma-net
ensemble:
  methods: ${methods}
  weights: ${weights}
  calibrate: ${calibrate}
distillation:
  student: { name: student }
  temperature: 4
  alpha: 0.9
${extra}
`);
}

function done(id: string, result: TaskResult, attempts = 1): TaskRecord {
  return { id, status: 'done', attempts, result, startedAt: 0, finishedAt: result.seconds * 1000 };
}

/** Task records as a finished run leaves them: 3 trains (2 epochs), predicts, stack, 2 shards, 2 students. */
export function makeRecords(): Map<string, TaskRecord> {
  const records: TaskRecord[] = [];
  MEMBERS.forEach((m, i) => {
    records.push(
      done(
        `train:${m}`,
        {
          type: 'train',
          seconds: 10 + i,
          epochs: 2,
          samples: 90,
          history: { loss: [1.2 - i * 0.1, 0.6 - i * 0.05], valLoss: [1.3, 0.7 + i * 0.01] },
          resumedFromEpoch: 0,
          backend: 'cpu',
        },
        i === 1 ? 2 : 1,
      ),
    );
    records.push(done(`predict:${m}`, { type: 'predict', seconds: 0.5, parameters: 1000 * (i + 1) }));
  });
  records.push(done('stack', { type: 'stack', seconds: 2, history: { loss: [0.9, 0.5] } }));
  records.push(done('soft-labels:0', { type: 'soft-labels', seconds: 1, start: 0, end: 45 }));
  records.push(done('soft-labels:1', { type: 'soft-labels', seconds: 1, start: 45, end: 90 }));
  for (const s of [DISTILLED, BASELINE]) {
    records.push(
      done(`distill:${s}`, {
        type: 'distill',
        seconds: 4,
        epochs: 3,
        history: { loss: [2, 1, 0.5] },
        resumedFromEpoch: 0,
        backend: 'cpu',
        parameters: 120,
      }),
    );
  }
  records.push({ id: 'report', status: 'running', attempts: 1, startedAt: 0 });
  return new Map(records.map((r) => [r.id, r]));
}

/** Validation labels: the test labels three times over (12 samples). */
export const VALIDATION_LABELS = Int32Array.from([...LABELS, ...LABELS, ...LABELS]);

/**
 * Validation logits per member: its test rows three times over, sharpened ×3 so the soft vote is
 * over-confident there (3 of every 4 right, at confidences near 1) and calibration has something to fix.
 */
export function validationLogitsOf(member: (typeof MEMBERS)[number]): Float32Array {
  const test = logitsOf(MEMBER_PROBABILITIES[member]);
  return Float32Array.from([...test, ...test, ...test], (v) => 3 * v);
}

/**
 * Complete inputs (with the validation split's labels and logits when the job calibrates). Students: the distilled one predicts [0,1,2,1] (all right), the baseline [1,1,0,2]
 * (1/4); the stacking combiner predicts [0,1,2,2] (3/4).
 */
export function makeInputs(job: ResolvedJob = makeJob()): ReportInputs {
  return {
    job,
    backend: 'cpu',
    wallSeconds: 20,
    counts: { train: 90, validation: 10, test: 4, classes: CLASSES },
    testLabels: LABELS,
    memberTestLogits: new Map(MEMBERS.map((m) => [m, logitsOf(MEMBER_PROBABILITIES[m])])),
    stackingTestLogits: oneHotLogits([0, 1, 2, 2]),
    studentTestLogits: new Map([
      [DISTILLED, oneHotLogits([0, 1, 2, 1])],
      [BASELINE, oneHotLogits([1, 1, 0, 2])],
    ]),
    records: makeRecords(),
    createdAt: '2026-11-28T12:00:00.000Z',
    ...(job.ensemble.calibrate
      ? {
          counts: { train: 90, validation: VALIDATION_LABELS.length, test: 4, classes: CLASSES },
          validationLabels: VALIDATION_LABELS,
          memberValidationLogits: new Map(MEMBERS.map((m) => [m, validationLogitsOf(m)])),
        }
      : {}),
  };
}

/** Runs `fn` with a fresh temporary folder that is removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-report-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
