import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChorusError } from '../core/errors.ts';
import type { StateStore } from './stateStore.ts';
import type { TaskRecord } from '../core/tasks/taskRecord.ts';

interface StateFile {
  version: 1;
  tasks: TaskRecord[];
}

/** Task state as one JSON file, rewritten atomically (write + rename) on every change, in order. */
export class FileStateStore implements StateStore {
  private readonly path: string;
  private readonly records = new Map<string, TaskRecord>();
  private loaded = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  async loadTasks(): Promise<TaskRecord[]> {
    if (!this.loaded) {
      this.loaded = true;
      let text: string | undefined;
      try {
        text = await readFile(this.path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (text !== undefined) {
        let parsed: StateFile;
        try {
          parsed = JSON.parse(text) as StateFile;
        } catch (err) {
          throw new ChorusError(
            `${this.path}: the state file is not valid JSON; move it away to start over`,
            {
              cause: err,
            },
          );
        }
        for (const r of parsed.tasks) this.records.set(r.id, r);
      }
    }
    return [...this.records.values()].map((r) => ({ ...r }));
  }

  putTask(record: TaskRecord): Promise<void> {
    this.records.set(record.id, { ...record });
    const snapshot: StateFile = { version: 1, tasks: [...this.records.values()] };
    // Chain writes so an older snapshot never lands after a newer one.
    this.writing = this.writing.then(() => this.write(snapshot));
    return this.writing;
  }

  private async write(state: StateFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 1)}\n`);
    await rename(tmp, this.path);
  }
}
