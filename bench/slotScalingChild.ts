/** One embedded run of the four-member bench job with `--slots N`, in its own process; times the whole job. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { runEmbedded } from '../coordinator/runEmbedded.ts';
import { benchJobCopy, FOUR_MLPS_JOB } from './benchJob.ts';
import { withCpuSeconds } from './cpuSeconds.ts';
import { emitResult, numberArg, parseArgs } from './emitResult.ts';

export interface SlotScalingChildResult {
  slots: number;
  members: number;
  /** runEmbedded from call to return: data preparation, every task, the report. */
  wallSeconds: number;
  /** CPU time of the process (every thread) over the run; ÷ wallSeconds = cores it actually got. */
  cpuSeconds: number;
  /** Per task, its time in the scheduler (dispatch to result), seconds. */
  taskSeconds: Record<string, number>;
  /** Per train task, samples trained. */
  trainSamples: Record<string, number>;
}

const args = parseArgs(process.argv.slice(2));
const slots = numberArg(args, 'slots', 1);
const epochs = args.has('epochs') ? numberArg(args, 'epochs', 1) : undefined;

const copy = await benchJobCopy(FOUR_MLPS_JOB, epochs);
try {
  const taskSeconds: Record<string, number> = {};
  const trainSamples: Record<string, number> = {};
  const timed = await withCpuSeconds(() =>
    runEmbedded({
      jobFile: copy.jobFile,
      out: path.join(copy.dir, 'run'),
      slots,
      fresh: true,
      onEvent: (e) => {
        if (e.type === 'task-done') {
          taskSeconds[e.id] = e.seconds;
          if (e.result.type === 'train') trainSamples[e.id] = e.result.samples;
        }
        if (e.type === 'task-failed') console.error(`task ${e.id} failed: ${e.error}`);
      },
    }),
  );
  const result: SlotScalingChildResult = {
    slots,
    members: timed.value.job.members.length,
    wallSeconds: timed.seconds,
    cpuSeconds: timed.cpuSeconds,
    taskSeconds,
    trainSamples,
  };
  emitResult(result);
} finally {
  await rm(copy.dir, { recursive: true, force: true });
}
