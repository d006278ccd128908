/**
 * What the coordinator purges when an artifact gets a new revision (coordinator/nats/artifactJanitor.ts).
 * Writers (workers included) never purge: a put publishes a new revision and leaves the old one's chunks,
 * a delete publishes a deleted marker. The coordinator then removes what the new revision superseded,
 * but only for a job that could legitimately change it: one that is running (or has no record), or a
 * revision made before the job's record was last written. A revision of a finished job's artifact made
 * after it finished (something a worker login can do, and no Chorus process does) purges nothing, so
 * the bytes it hid stay in the stream.
 */

/** One metadata message of an object. */
export interface Revision {
  seq: number;
  /** The id its chunks are published under. */
  nuid: string;
  deleted: boolean;
  /** Server time of the message, ms since the epoch. */
  time: number;
}

/** The job an object belongs to, as its record stands. */
export interface JobWindow {
  /** Running, or no record: any revision may supersede the last. */
  running: boolean;
  /** Server time (ms) of the job record's last write; revisions up to it were made while it could change. */
  recordTime: number;
}

/** Chunk ids of an object's revisions not purged yet, oldest first. */
export interface ObjectChunks {
  nuids: readonly string[];
}

export interface Cleanup {
  /** Chunk ids whose chunks to purge. */
  purgeChunks: string[];
  /** Purge the object's metadata messages with a sequence below this one (undefined: none). */
  purgeMetaBelow: number | undefined;
  /** What is left unpurged after this revision (undefined: nothing, the object is gone). */
  next: ObjectChunks | undefined;
}

export function cleanupFor(known: ObjectChunks | undefined, current: Revision, job: JobWindow): Cleanup {
  const earlier = known?.nuids ?? [];
  const allowed = job.running || current.time <= job.recordTime;
  if (!allowed) {
    const nuids = earlier.includes(current.nuid) ? earlier : [...earlier, current.nuid];
    return { purgeChunks: [], purgeMetaBelow: undefined, next: { nuids } };
  }
  const superseded = [...new Set(earlier)].filter((n) => n !== current.nuid);
  if (current.deleted) {
    // The marker goes too: an object without metadata reads as absent, like a deleted one.
    return { purgeChunks: [...superseded, current.nuid], purgeMetaBelow: current.seq + 1, next: undefined };
  }
  return {
    purgeChunks: superseded,
    purgeMetaBelow: known === undefined ? undefined : current.seq,
    next: { nuids: [current.nuid] },
  };
}
