import { toFailure } from '../../core/tasks/taskFailure.ts';
import type { PreparedData } from '../../core/tasks/taskContext.ts';
import { runPooledTask } from '../runPooledTask.ts';
import { warmUpThread } from '../threadWarmUp.ts';
import type { ChildTaskRequest, FromChildMessage, ToChildMessage } from './childMessages.ts';
import { readDataFile } from './dataFile.ts';

/**
 * A pool child process (processPool.ts): one tfjs engine, one task at a time, the same task code as a
 * pool thread (runPooledTask.ts). Its pool is its only master: it leaves when the IPC channel closes,
 * and ignores SIGINT and SIGTERM (a terminal's Ctrl-C reaches the whole process group; the pool
 * decides what becomes of a running task).
 */

/** Jobs' data read here, newest last: two jobs' worth at most (a worker may alternate between jobs). */
const datasets = new Map<string, PreparedData>();
const KEEP_DATASETS = 2;

function dataOf(file: string): PreparedData {
  let data = datasets.get(file);
  if (data === undefined) {
    data = readDataFile(file);
    if (datasets.size >= KEEP_DATASETS) datasets.delete(datasets.keys().next().value!);
  } else datasets.delete(file);
  datasets.set(file, data);
  return data;
}

function send(message: FromChildMessage): void {
  process.send?.(message);
}

/** Tasks asked to give their slot back (a child runs one task at a time; ids are never reused). */
const yieldRequested = new Set<number>();

async function runChildTask(id: number, request: ChildTaskRequest): Promise<void> {
  const { dataFile, ...rest } = request;
  let outcome;
  try {
    const data = dataOf(dataFile);
    outcome = await runPooledTask(
      { ...rest, data },
      (message) => send({ type: 'message', id, message }),
      () => yieldRequested.has(id),
    );
  } catch (err) {
    outcome = { ok: false as const, error: toFailure(err) };
  } finally {
    yieldRequested.delete(id);
  }
  send({ type: 'outcome', id, outcome });
}

async function warmUp(message: Extract<ToChildMessage, { type: 'warm-up' }>): Promise<void> {
  try {
    const result = await warmUpThread({
      kind: 'warm-up',
      backend: message.backend,
      arrived: new SharedArrayBuffer(4),
      threads: 1,
      waitMs: 0,
      natsArtifacts: message.natsArtifacts,
    });
    send({ type: 'warmed', id: message.id, result: { ...result, threadId: process.pid } });
  } catch (err) {
    send({ type: 'warm-up-failed', id: message.id, error: toFailure(err) });
  }
}

export function startPoolChild(): void {
  if (process.send === undefined) {
    process.stderr.write('chorus: the pool child runs only as a child process of a Chorus pool\n');
    process.exitCode = 2;
    return;
  }
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ToChildMessage) => {
    if (message.type === 'task') void runChildTask(message.id, message.request);
    else if (message.type === 'warm-up') void warmUp(message);
    else if (message.type === 'yield') yieldRequested.add(message.id);
  });
}

startPoolChild();
