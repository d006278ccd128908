/**
 * The whole pipeline, end to end, against plain PyTorch on one core: bench/jobs/e2e-fashion.yaml run by
 * `chorus run` with every core and with one slot, and bench/torch_pipeline.py doing the same work
 * (data, architectures, epochs, batch size, optimizer, T and alpha). Each is a fresh process timed from
 * spawn to exit; both sides' accuracies are reported so that the comparison is of equal work.
 */
import { rm } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../core/report/report.ts';
import { ChorusProcess } from '../test/support/chorusProcess.ts';
import { benchJobCopy } from './benchJob.ts';
import { figure, type Benchmark, type Figure } from './benchResults.ts';
import { processCpuSeconds } from './processMemory.ts';
import { notOneCore, runTorchChild, torchUnavailable } from './torchChild.ts';

const JOB = fileURLToPath(new URL('./jobs/e2e-fashion.yaml', import.meta.url));
const TORCH_SCRIPT = fileURLToPath(new URL('./torch_pipeline.py', import.meta.url));

/** Issue 17's targets: wall time against PyTorch's on one core. */
const ALL_CORES_TARGET = 0.8;
const ONE_SLOT_TARGET = 1.6;

interface Accuracies {
  meanMember: number;
  members: number[];
  hard: number;
  soft: number;
  distilled: number;
  baseline: number;
}

export interface TorchPipelineResult {
  wallSeconds: number;
  cpuSeconds: number;
  importSeconds: number;
  loadSeconds: number;
  phases: Record<string, number>;
  members: { accuracy: number }[];
  meanMember: { accuracy: number };
  hard: { accuracy: number };
  soft: { accuracy: number; nll: number; ece: number };
  students: Record<'distilled' | 'baseline', { accuracy: number; nll: number; agreementWithTeacher: number }>;
  skipped?: string;
}

interface ChorusRun {
  slots: number;
  /** Spawn to exit. */
  wallSeconds: number;
  /** The process's CPU time (every thread), read from /proc while it ran. */
  cpuSeconds: number;
  /** From report.json: the job's own wall time and its tasks' summed time, by type. */
  timing: Report['timing'];
  accuracies: Accuracies;
}

async function runChorus(jobFile: string, out: string, slots: number): Promise<ChorusRun> {
  const p = new ChorusProcess(
    `chorus run --slots ${slots}`,
    ['run', jobFile, '--out', out, '--slots', String(slots), '--fresh', '--json'],
    { logLines: 50 },
  );
  let cpuSeconds = 0;
  const sampler = setInterval(() => {
    processCpuSeconds(p.pid).then(
      (s) => (cpuSeconds = s),
      () => undefined,
    );
  }, 100);
  try {
    const exit = await p.waitForExit(1_800_000);
    if (exit.code !== 0)
      throw new Error(`chorus run --slots ${slots} exited with ${exit.code}: ${p.tail(5)}`);
  } finally {
    clearInterval(sampler);
  }
  const finished = await p.finished;
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as Report;
  const student = (kind: 'distilled' | 'baseline') =>
    report.students.find((s) => s.kind === kind)?.accuracy ?? NaN;
  return {
    slots,
    wallSeconds: finished.seconds,
    cpuSeconds,
    timing: report.timing,
    accuracies: {
      meanMember: report.meanMember.accuracy,
      members: report.members.map((m) => m.accuracy),
      hard: report.ensemble.hard?.accuracy ?? NaN,
      soft: report.ensemble.soft?.accuracy ?? NaN,
      distilled: student('distilled'),
      baseline: student('baseline'),
    },
  };
}

export const e2e: Benchmark = async ({ quick }) => {
  const cores = cpus().length;
  const title = `End to end: 4 MLPs on Fashion-MNIST, votes, soft labels, distilled student and baseline (${cores} cores)`;
  const copy = await benchJobCopy(JOB, quick ? 1 : undefined);
  const torchArgs = quick ? ['--epochs', '1', '--student-epochs', '1'] : [];
  try {
    // PyTorch first, then Chorus on every core, then on one slot.
    let torch: { wallSeconds: number; result: TorchPipelineResult } | { skipped: string };
    const unavailable = torchUnavailable();
    if (unavailable !== undefined) torch = { skipped: unavailable };
    else {
      console.log('  e2e: PyTorch, one core');
      const outcome = await runTorchChild<TorchPipelineResult>(TORCH_SCRIPT, torchArgs, {
        timeoutMs: 1_800_000,
      });
      if (!outcome.ok || !outcome.result) torch = { skipped: `failed: ${outcome.error ?? 'no result'}` };
      else if (outcome.result.skipped !== undefined) torch = { skipped: outcome.result.skipped };
      else {
        const why = notOneCore({
          seconds: outcome.result.wallSeconds,
          cpuSeconds: outcome.result.cpuSeconds,
        });
        torch =
          why === undefined ? { wallSeconds: outcome.seconds, result: outcome.result } : { skipped: why };
      }
    }
    const runs: ChorusRun[] = [];
    for (const slots of [cores, 1]) {
      console.log(`  e2e: chorus run, ${slots} slot(s)`);
      runs.push(await runChorus(copy.jobFile, path.join(copy.dir, `run-${slots}`), slots));
    }
    const [all, one] = runs as [ChorusRun, ChorusRun];
    const torchWall = 'skipped' in torch ? null : torch.wallSeconds;
    const torchNote = 'skipped' in torch ? { note: `PyTorch ${torch.skipped}` } : {};
    const baselineLabel = 'plain PyTorch script, one core (bench/torch_pipeline.py)';
    const figures: Figure[] = [
      figure({
        id: 'e2e.all-cores',
        group: title,
        label: `chorus run with ${cores} slots (all cores), spawn to exit`,
        value: all.wallSeconds,
        unit: 's',
        baseline: { label: baselineLabel, value: torchWall },
        higherIsBetter: false,
        targets: [{ on: 'ratio', bound: ALL_CORES_TARGET, source: 'issue 17' }],
        ...torchNote,
      }),
      figure({
        id: 'e2e.one-slot',
        group: title,
        label: 'chorus run with 1 slot, spawn to exit',
        value: one.wallSeconds,
        unit: 's',
        baseline: { label: baselineLabel, value: torchWall },
        higherIsBetter: false,
        targets: [{ on: 'ratio', bound: ONE_SLOT_TARGET, source: 'issue 17' }],
        ...torchNote,
      }),
    ];
    // CPU time: what each side consumed, steadier than wall time when other work shares the machine.
    const torchCpu = 'skipped' in torch ? null : torch.result.cpuSeconds;
    for (const run of [all, one]) {
      figures.push(
        figure({
          id: `e2e.${run === all ? 'all-cores' : 'one-slot'}-cpu`,
          group: `${title}: CPU time`,
          label: `chorus run with ${run.slots} slot(s): CPU time of the process (every thread)`,
          value: run.cpuSeconds,
          unit: 'CPU-s',
          baseline: { label: 'the PyTorch script (getrusage)', value: torchCpu },
          higherIsBetter: false,
          ...torchNote,
        }),
      );
    }
    // Accuracies side by side (test split): what each side computed, so the times compare equal work.
    const accuracyGroup =
      'End to end: test accuracy of each side (same data, architectures, epochs, T, alpha)';
    const t = 'skipped' in torch ? undefined : torch.result;
    const rows: [string, string, number, number | undefined][] = [
      ['mean-member', 'members (mean)', all.accuracies.meanMember, t?.meanMember.accuracy],
      ['hard', 'hard vote', all.accuracies.hard, t?.hard.accuracy],
      ['soft', 'soft vote', all.accuracies.soft, t?.soft.accuracy],
      [
        'distilled',
        'distilled student (T 4, alpha 0.7)',
        all.accuracies.distilled,
        t?.students.distilled.accuracy,
      ],
      ['baseline', 'baseline student (hard labels)', all.accuracies.baseline, t?.students.baseline.accuracy],
    ];
    for (const [key, label, chorus, pytorch] of rows) {
      figures.push(
        figure({
          id: `e2e.accuracy.${key}`,
          group: accuracyGroup,
          label: `${label}: Chorus (${cores} slots)`,
          value: chorus * 100,
          unit: '%',
          baseline: { label: 'PyTorch', value: pytorch === undefined ? null : pytorch * 100 },
          higherIsBetter: true,
          ...torchNote,
        }),
      );
    }
    return { title, figures, details: { torch, runs } };
  } finally {
    await rm(copy.dir, { recursive: true, force: true });
  }
};
