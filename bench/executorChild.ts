/**
 * Executor overhead, in its own process. `--mode bare` trains the job's first member the way a bare
 * script would (wasm backend on the main thread, buildModel + trainLoop, no checkpoints or saving);
 * `--mode bare-io` adds the train task's checkpoints and model save;
 * `--mode pool` runs the same member's train task through a 1-slot LocalPoolExecutor, after measuring
 * the round trip of tasks that fail at once (dispatch latency) against a no-op piscina pool.
 * `--checkpoint-seconds S` replaces the job's `runtime.checkpointSeconds` (bare-io and pool).
 */
import { rm } from 'node:fs/promises';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { prepareData } from '../core/data/prepareData.ts';
import { loadJobFile } from '../core/spec/loadJob.ts';
import type { TrainTask } from '../core/tasks/task.ts';
import { benchJobCopy, FOUR_MLPS_JOB } from './benchJob.ts';
import { withCpuSeconds } from './cpuSeconds.ts';
import { busiestThreadDelta, threadCpuSeconds } from './threadCpu.ts';
import { emitResult, numberArg, parseArgs, stringArg } from './emitResult.ts';

export interface BareResult {
  mode: 'bare' | 'bare-io';
  samples: number;
  /** buildModel + trainLoop, as a script would time its training. */
  wallSeconds: number;
  /** trainLoop's own timing (the loop only). */
  loopSeconds: number;
  /** CPU time of the whole process over `wallSeconds`. */
  cpuSeconds: number;
  /** CPU time of the busiest thread (the one training) over `wallSeconds`; absent off Linux. */
  trainingThreadCpuSeconds?: number;
}

export interface PoolResult {
  mode: 'pool';
  /** The job's runtime.checkpointSeconds the task ran with (0: a checkpoint after every epoch). */
  checkpointSeconds: number;
  samples: number;
  /** executor.run of the train task, from dispatch to result (thread already warm). */
  wallSeconds: number;
  /** The task's own trainLoop timing, inside the thread. */
  loopSeconds: number;
  /** CPU time of the whole process (every thread) over `wallSeconds`. */
  cpuSeconds: number;
  /** CPU time of the busiest thread (the pool thread training) over `wallSeconds`; absent off Linux. */
  trainingThreadCpuSeconds?: number;
  /** First task on a fresh thread (it starts the wasm backend). */
  coldDispatchMs: number;
  /** Round trips of a task that fails in its handler at once, after the thread is warm. */
  dispatchMs: number[];
  /** Round trips of a no-op piscina task with the same pool settings. */
  noopDispatchMs: number[];
}

const args = parseArgs(process.argv.slice(2));
const mode = stringArg(args, 'mode');
const epochs = args.has('epochs') ? numberArg(args, 'epochs', 1) : undefined;
const dispatches = numberArg(args, 'dispatches', 30);

const copy = await benchJobCopy(FOUR_MLPS_JOB, epochs);
try {
  const { job, baseDir } = await loadJobFile(copy.jobFile);
  if (args.has('checkpoint-seconds')) {
    job.runtime.checkpointSeconds = numberArg(args, 'checkpoint-seconds', job.runtime.checkpointSeconds);
  }
  const data = await prepareData(job.data, baseDir, job.seed, job.task);
  const member = job.members[0]!;
  if (mode === 'bare' || mode === 'bare-io') {
    const tf = await import('@tensorflow/tfjs');
    const { FsArtifactStore } = await import('../core/artifacts/fsArtifactStore.ts');
    const { artifactKeys } = await import('../core/artifacts/artifactKeys.ts');
    const { saveModelToStore } = await import('../core/artifacts/modelIO.ts');
    const { Checkpointer } = await import('../core/train/checkpoint.ts');
    // `bare-io` also does the train task's file work (its checkpoints, the final save), to tell
    // that cost apart from the thread and messaging.
    const store = mode === 'bare-io' ? new FsArtifactStore(copy.dir) : undefined;
    const taskId = `train:${member.name}`;
    const { selectBackend } = await import('../core/backend/selectBackend.ts');
    const { buildModel } = await import('../core/model/buildModel.ts');
    const { makeOptimizer } = await import('../core/model/optimizer.ts');
    const { trainLoop } = await import('../core/train/trainLoop.ts');
    tf.enableProdMode();
    await selectBackend('wasm');
    const threadsBefore = threadCpuSeconds();
    const timed = await withCpuSeconds(async () => {
      const model = buildModel({
        layers: member.layers,
        inputShape: [...data.sampleShape],
        classes: data.classes,
        seed: member.seed,
        name: member.name,
      });
      const optimizer = makeOptimizer({
        name: member.train.optimizer,
        learningRate: member.train.learningRate,
      });
      // The same loop and settings as the train task, validation loss included.
      const checkpoint = store ? new Checkpointer(store, artifactKeys.checkpoint(taskId)) : undefined;
      const run = await trainLoop({
        model,
        optimizer,
        data: data.train,
        classes: data.classes,
        epochs: member.train.epochs,
        batchSize: member.train.batchSize,
        seed: member.seed,
        validation: data.validation,
        ...(checkpoint ? { checkpoint, checkpointEverySeconds: job.runtime.checkpointSeconds } : {}),
      });
      if (store && checkpoint) {
        await saveModelToStore(model, store, artifactKeys.memberModel(member.name));
        await checkpoint.clear();
      }
      model.dispose();
      optimizer.dispose();
      return run;
    });
    const threadsAfter = threadCpuSeconds();
    const result: BareResult = {
      mode,
      samples: timed.value.samples,
      wallSeconds: timed.seconds,
      loopSeconds: timed.value.seconds,
      cpuSeconds: timed.cpuSeconds,
      ...(threadsBefore && threadsAfter
        ? { trainingThreadCpuSeconds: busiestThreadDelta(threadsBefore, threadsAfter) }
        : {}),
    };
    emitResult(result);
  } else {
    const { LocalPoolExecutor } = await import('../worker/localPoolExecutor.ts');
    const executor = new LocalPoolExecutor({
      job,
      data,
      artifacts: { kind: 'fs', root: copy.dir },
      backend: 'wasm',
      slots: 1,
    });
    const runOptions = { attempt: 1, onProgress: () => {}, signal: new AbortController().signal };
    const failing: TrainTask = {
      id: 'train:no-such-member',
      type: 'train',
      member: 'no-such-member',
      deps: [],
    };
    const roundTrip = async (): Promise<number> => {
      const t0 = performance.now();
      const outcome = await executor.run(failing, runOptions);
      if (outcome.ok) throw new Error('the dispatch probe task should have failed');
      return performance.now() - t0;
    };
    const noop = new Piscina({
      filename: new URL('./noopThread.mjs', import.meta.url).href,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
    });
    const noopRoundTrip = async (): Promise<number> => {
      // Like the executor: a fresh MessagePort per task, transferred with it.
      const { port1, port2 } = new MessageChannel();
      const t0 = performance.now();
      await noop.run({ port: port2 }, { transferList: [port2] });
      const ms = performance.now() - t0;
      port1.close();
      return ms;
    };
    const coldDispatchMs = await roundTrip();
    await noopRoundTrip();
    const dispatchMs: number[] = [];
    const noopDispatchMs: number[] = [];
    // Interleaved, so a burst of load from elsewhere on the machine hits both alike.
    for (let i = 0; i < dispatches; i++) {
      dispatchMs.push(await roundTrip());
      noopDispatchMs.push(await noopRoundTrip());
    }
    await noop.destroy();
    const task: TrainTask = { id: `train:${member.name}`, type: 'train', member: member.name, deps: [] };
    const threadsBefore = threadCpuSeconds();
    const timed = await withCpuSeconds(() => executor.run(task, runOptions));
    const threadsAfter = threadCpuSeconds();
    const outcome = timed.value;
    await executor.close();
    if (!outcome.ok) throw new Error(`the train task failed: ${outcome.error.message}`);
    if (outcome.result.type !== 'train') throw new Error(`unexpected result ${outcome.result.type}`);

    const result: PoolResult = {
      mode: 'pool',
      checkpointSeconds: job.runtime.checkpointSeconds,
      samples: outcome.result.samples,
      wallSeconds: timed.seconds,
      loopSeconds: outcome.result.seconds,
      cpuSeconds: timed.cpuSeconds,
      ...(threadsBefore && threadsAfter
        ? { trainingThreadCpuSeconds: busiestThreadDelta(threadsBefore, threadsAfter) }
        : {}),
      coldDispatchMs,
      dispatchMs,
      noopDispatchMs,
    };
    emitResult(result);
  }
} finally {
  await rm(copy.dir, { recursive: true, force: true });
}
