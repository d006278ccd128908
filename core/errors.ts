/**
 * One error class per failure mode, each with a stable `name` and an optional `cause`.
 * `NonRetryableError` marks bad input: schedulers must not retry what cannot succeed.
 */

export class ChorusError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input (job file, data, message): retrying cannot help. */
export class NonRetryableError extends ChorusError {}

/** One problem in a job spec, addressed by its path such as `members[2].train.epochs`. */
export interface SpecIssue {
  path: string;
  message: string;
}

/** A job file that does not validate; `issues` lists every problem found, not just the first. */
export class JobSpecError extends NonRetryableError {
  readonly issues: readonly SpecIssue[];
  readonly source: string | undefined;

  constructor(issues: readonly SpecIssue[], source?: string) {
    const where = source ? ` in ${source}` : '';
    const lines = issues.map((i) => (i.path ? `  ${i.path}: ${i.message}` : `  ${i.message}`));
    super(
      `invalid job spec${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.issues = issues;
    this.source = source;
  }
}

/** A data file that cannot be read as promised: names the file and what is wrong. */
export class DatasetError extends NonRetryableError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}

/** A model spec that cannot be built (unknown layer, bad shape). */
export class ModelSpecError extends NonRetryableError {}

/** An explicitly requested backend that is not installed or failed to initialise. */
export class BackendUnavailableError extends NonRetryableError {}

/** An artifact (model, predictions, checkpoint) that a task expected is not in the store. */
export class ArtifactNotFoundError extends ChorusError {
  readonly key: string;

  constructor(key: string) {
    super(`artifact not found: ${key}`);
    this.key = key;
  }
}

/** A job stopped because one of its tasks failed for good; `taskId` names it, `reason` says why. */
export class JobFailedError extends ChorusError {
  readonly taskId: string;
  readonly reason: string;

  constructor(taskId: string, reason: string) {
    super(`task ${taskId} failed: ${reason}`);
    this.taskId = taskId;
    this.reason = reason;
  }
}

/** A job interrupted on request (Ctrl-C, cancel); its state is saved and it can be resumed. */
export class JobInterruptedError extends ChorusError {}

/**
 * A saved model (model.json and its weights) that is malformed, torn or points outside its folder.
 * `key` is the artifact (or file) at fault. Non-retryable: reading the same bytes again cannot help.
 */
export class ModelFileError extends NonRetryableError {
  readonly key: string;

  constructor(key: string, problem: string, options?: { cause?: unknown; shownAs?: string }) {
    super(
      `${options?.shownAs ?? key}: ${problem}`,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.key = key;
  }
}

/**
 * A task that stopped because it was asked to give its slot back (a higher-priority task waits, or its
 * worker is draining), after saving what it had: it is requeued and resumes, and the stop does not
 * count as a failed attempt. Training tasks yield at the end of an epoch, once its checkpoint is written.
 */
export class TaskYieldedError extends ChorusError {}
