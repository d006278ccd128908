/**
 * One measurement of the isolation benchmark, in its own process (a fresh tfjs engine, cold module
 * caches). `--mode job`: the four-member job, embedded, with `--slots` slots of `--isolation` thread or
 * process, timed from runEmbedded's call to its return. `--mode start`: a pool of `--slots` slots
 * created and warmed (every slot's modules loaded and wasm backend started), timed. The compiled pool
 * entries are built before any clock starts (once per change of the sources).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { runEmbedded } from '../coordinator/runEmbedded.ts';
import { compiledProcessEntry, compiledThreadEntry } from '../worker/compiledThreadEntry.ts';
import { createTaskPool } from '../worker/createTaskPool.ts';
import { ISOLATIONS, type Isolation } from '../worker/poolPlacement.ts';
import { benchJobCopy, FOUR_MLPS_JOB } from './benchJob.ts';
import { emitResult, numberArg, parseArgs, stringArg } from './emitResult.ts';

export interface IsolationJobResult {
  mode: 'job';
  isolation: Isolation;
  slots: number;
  /** runEmbedded from call to return: data preparation, the pool's start, every task, the report. */
  wallSeconds: number;
  /** Per task, its time in the scheduler (dispatch to result), seconds. */
  taskSeconds: Record<string, number>;
}

export interface IsolationStartResult {
  mode: 'start';
  isolation: Isolation;
  slots: number;
  /** Pool created → every slot warm (modules loaded, wasm backend started), ms. */
  readyMs: number;
}

const args = parseArgs(process.argv.slice(2));
const mode = stringArg(args, 'mode');
const isolation = stringArg(args, 'isolation') as Isolation;
if (!ISOLATIONS.includes(isolation))
  throw new Error(`--isolation: expected thread or process, got ${isolation}`);
const slots = numberArg(args, 'slots', 2);
if ((await compiledThreadEntry()) === undefined || (await compiledProcessEntry()) === undefined) {
  throw new Error('the compiled pool entries could not be built');
}

if (mode === 'start') {
  const t0 = performance.now();
  const { pool } = createTaskPool({ backend: 'wasm', slots, isolation });
  try {
    const warmed = await pool.warmUp('wasm');
    const readyMs = performance.now() - t0;
    if (warmed.length !== slots || warmed.some((w) => w.backend !== 'wasm')) {
      throw new Error(`the pool warmed ${JSON.stringify(warmed)}, not ${slots} wasm slots`);
    }
    const result: IsolationStartResult = { mode: 'start', isolation, slots, readyMs };
    emitResult(result);
  } finally {
    await pool.close();
  }
} else if (mode === 'job') {
  const epochs = args.has('epochs') ? numberArg(args, 'epochs', 1) : undefined;
  const copy = await benchJobCopy(FOUR_MLPS_JOB, epochs);
  try {
    const taskSeconds: Record<string, number> = {};
    const t0 = performance.now();
    await runEmbedded({
      jobFile: copy.jobFile,
      out: path.join(copy.dir, 'run'),
      slots,
      placement: { isolation },
      fresh: true,
      onEvent: (e) => {
        if (e.type === 'task-done') taskSeconds[e.id] = e.seconds;
        if (e.type === 'task-failed') console.error(`task ${e.id} failed: ${e.error}`);
      },
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const result: IsolationJobResult = { mode: 'job', isolation, slots, wallSeconds, taskSeconds };
    emitResult(result);
  } finally {
    await rm(copy.dir, { recursive: true, force: true });
  }
} else throw new Error(`--mode: expected job or start, got ${mode}`);
