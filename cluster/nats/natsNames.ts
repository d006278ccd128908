import { ChorusError, NonRetryableError } from '../../core/errors.ts';

/**
 * The name of every NATS resource Chorus uses, derived from one prefix (default `chorus`) so that
 * several deployments, or several tests, can share a server without seeing each other.
 * See docs/distributed.md, "NATS resources".
 */
export interface NatsNames {
  readonly prefix: string;
  /** Work-queue stream of tasks, and its subjects. */
  readonly taskStream: string;
  readonly taskSubjects: string;
  taskSubject(jobId: string): string;
  /** The workers' shared durable pull consumer on the task stream. */
  readonly taskConsumer: string;
  /** Stream of task results, and its subjects. */
  readonly resultStream: string;
  readonly resultSubjects: string;
  resultSubject(jobId: string): string;
  /** The coordinator's durable pull consumer on the result stream. */
  readonly resultConsumer: string;
  /**
   * Stream that keeps the task consumer's MAX_DELIVERIES advisories (a task that ran out of
   * deliveries), so that one published while no coordinator listens is still handled.
   */
  readonly advisoryStream: string;
  /** The coordinator's durable pull consumer on the advisory stream. */
  readonly advisoryConsumer: string;
  /** Published by the server when a task message has been delivered MaxDeliver times. */
  readonly maxDeliveriesAdvisory: string;
  /** KV bucket of job and task records. */
  readonly stateBucket: string;
  /** Key of the coordinators' leadership lease in the state bucket (coordinator/leadership). */
  readonly leaderKey: string;
  /** KV bucket of worker heartbeats (entries expire). */
  readonly workersBucket: string;
  /** Object Store bucket of artifacts and uploaded data. */
  readonly artifactsBucket: string;
  /** Core NATS subject of a job's progress events (workers publish; not persisted). */
  progressSubject(jobId: string): string;
  /** Every job's progress subject: the coordinator subscribes to it. */
  readonly allProgress: string;
  /** Core NATS subject told to workers when a job ends early, so they stop its running tasks. */
  cancelSubject(jobId: string): string;
  /** Every job's cancel subject: workers subscribe to it. */
  readonly allCancels: string;
  /**
   * Core NATS subject asking the worker that runs one of a job's dispatches to give its slot back
   * (preemption): `<prefix>.cancel.<jobId>.yield`. Under the cancel subjects, so that the workers'
   * NATS permissions and account imports (`<prefix>.cancel.>`) already allow it.
   */
  yieldSubject(jobId: string): string;
  /** Every job's yield subject: workers subscribe to it. */
  readonly allYields: string;
  /** The job a task, result, progress or cancel subject of this prefix belongs to; undefined for any other subject. */
  jobOfSubject(subject: string): { kind: SubjectKind; jobId: string } | undefined;
  jobKey(jobId: string): string;
  /** Every job record: a KV filter. */
  readonly jobKeys: string;
  taskKey(jobId: string, taskId: string): string;
  /** The job and task a task-record key stands for; undefined for any other key. */
  taskOfKey(key: string): { jobId: string; taskId: string } | undefined;
  /** Every task record of a job: a KV filter. */
  taskKeys(jobId: string): string;
  /**
   * A worker's heartbeat key: `worker.<name>.<instance>`. The name is the worker's identity, which its
   * NATS user's permissions fix (cluster/nats/workerPermissions.ts), so one login cannot write another's
   * heartbeats; the instance (host and process id, which may hold dots) is encoded like task ids.
   */
  workerKey(workerName: string, instance: string): string;
  /** Every heartbeat key of one worker name: a KV filter, and the subject its NATS user may write. */
  workerKeys(workerName: string): string;
  /** The worker name and instance a heartbeat key stands for; undefined for any other key. */
  workerOfKey(key: string): { name: string; instance: string } | undefined;
  /** Object-name prefix of a job's artifacts (`<jobId>/`). */
  artifactPrefix(jobId: string): string;
  /** Object name of a data file uploaded with a job. */
  dataObject(jobId: string, name: string): string;
}

/** The per-job subjects of a prefix, by what travels on them. */
export type SubjectKind = 'tasks' | 'results' | 'progress' | 'cancel';
const SUBJECT_KINDS: readonly SubjectKind[] = ['tasks', 'results', 'progress', 'cancel'];

/** Lower case only: stream names are upper-cased, so `Chorus` and `chorus` would share streams. */
const PREFIX_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** One subject token, one KV key token and one bucket-safe path segment. */
const ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
/** A worker name: one subject token, also in NATS permissions and inbox prefixes. */
const WORKER_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The worker name, checked: it becomes a subject token in the worker's NATS permissions. */
export function checkWorkerName(name: string): string {
  if (!WORKER_NAME_RE.test(name)) {
    throw new NonRetryableError(
      `invalid worker name ${JSON.stringify(name)}: expected 1-64 letters, digits, "-" or "_" ` +
        '(it names the worker in its NATS permissions and heartbeat key)',
    );
  }
  return name;
}

function checkId(kind: string, id: string): string {
  if (!ID_RE.test(id)) {
    throw new ChorusError(
      `invalid ${kind} ${JSON.stringify(id)}: expected 1-128 letters, digits, "-" or "_" ` +
        '(it is used as a NATS subject token and a KV key token)',
    );
  }
  return id;
}

/**
 * Encodes a task id as one KV key token, reversibly: letters, digits, `-` and `_` stay, every other
 * UTF-8 byte becomes `=XX` (hex). KV keys allow only `[-/_=.A-Za-z0-9]`, and task ids such as
 * `train:mlp-0` contain `:`; `.` is escaped too so that an id stays a single token.
 */
export function encodeKeyToken(id: string): string {
  if (id === '') throw new ChorusError('an empty id cannot be a KV key token');
  let out = '';
  for (const byte of new TextEncoder().encode(id)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeKeyToken(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    if (c === '=') {
      const hex = token.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw new ChorusError(`bad KV key token ${JSON.stringify(token)}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
}

export function natsNames(prefix = 'chorus'): NatsNames {
  if (!PREFIX_RE.test(prefix)) {
    throw new ChorusError(
      `invalid NATS prefix ${JSON.stringify(prefix)}: expected 1-32 lower-case letters, digits, "-" or "_", ` +
        'starting with a letter or digit',
    );
  }
  const upper = prefix.toUpperCase();
  return {
    prefix,
    taskStream: `${upper}_TASKS`,
    taskSubjects: `${prefix}.tasks.>`,
    taskSubject: (jobId) => `${prefix}.tasks.${checkId('job id', jobId)}`,
    taskConsumer: `${prefix}-workers`,
    resultStream: `${upper}_RESULTS`,
    resultSubjects: `${prefix}.results.>`,
    resultSubject: (jobId) => `${prefix}.results.${checkId('job id', jobId)}`,
    resultConsumer: `${prefix}-coordinator`,
    maxDeliveriesAdvisory: `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${upper}_TASKS.${prefix}-workers`,
    advisoryStream: `${upper}_ADVISORIES`,
    advisoryConsumer: `${prefix}-coordinator`,
    stateBucket: `${prefix}-state`,
    leaderKey: 'leader',
    workersBucket: `${prefix}-workers`,
    artifactsBucket: `${prefix}-artifacts`,
    progressSubject: (jobId) => `${prefix}.progress.${checkId('job id', jobId)}`,
    allProgress: `${prefix}.progress.*`,
    cancelSubject: (jobId) => `${prefix}.cancel.${checkId('job id', jobId)}`,
    allCancels: `${prefix}.cancel.*`,
    yieldSubject: (jobId) => `${prefix}.cancel.${checkId('job id', jobId)}.yield`,
    allYields: `${prefix}.cancel.*.yield`,
    jobOfSubject: (subject) => {
      const [head, kind, jobId, ...rest] = subject.split('.');
      if (head !== prefix || rest.length > 0 || jobId === undefined || !ID_RE.test(jobId)) return undefined;
      const known = SUBJECT_KINDS.find((k) => k === kind);
      return known ? { kind: known, jobId } : undefined;
    },
    jobKey: (jobId) => `job.${checkId('job id', jobId)}`,
    jobKeys: 'job.*',
    taskKey: (jobId, taskId) => `task.${checkId('job id', jobId)}.${encodeKeyToken(taskId)}`,
    taskKeys: (jobId) => `task.${checkId('job id', jobId)}.*`,
    taskOfKey: (key) => {
      const [head, jobId, token, ...rest] = key.split('.');
      if (head !== 'task' || rest.length > 0 || jobId === undefined || !ID_RE.test(jobId) || !token) {
        return undefined;
      }
      try {
        return { jobId, taskId: decodeKeyToken(token) };
      } catch {
        return undefined;
      }
    },
    workerKey: (workerName, instance) => `worker.${checkWorkerName(workerName)}.${encodeKeyToken(instance)}`,
    workerKeys: (workerName) => `worker.${checkWorkerName(workerName)}.*`,
    workerOfKey: (key) => {
      const [head, name, token, ...rest] = key.split('.');
      if (
        head !== 'worker' ||
        rest.length > 0 ||
        name === undefined ||
        !WORKER_NAME_RE.test(name) ||
        !token
      ) {
        return undefined;
      }
      try {
        return { name, instance: decodeKeyToken(token) };
      } catch {
        return undefined;
      }
    },
    artifactPrefix: (jobId) => `${checkId('job id', jobId)}/`,
    dataObject: (jobId, name) => `${checkId('job id', jobId)}/data/${name}`,
  };
}
