import { DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { parseObjectMeta } from '../../cluster/artifacts/objectBucket.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import type { JobRecord } from '../../cluster/state/jobRecord.ts';
import { cleanupFor, type JobWindow, type ObjectChunks } from './artifactCleanup.ts';

export interface ArtifactJanitorOptions {
  resources: NatsResources;
  log?: (line: string) => void;
  /**
   * How long a superseded revision stays readable after the revision that superseded it was written
   * (default 2 s): a reader that started before the replacement finishes instead of reading again.
   */
  graceMs?: number;
}

const DEFAULT_GRACE_MS = 2000;
/** Tries per metadata message, and the delay before the second (growing linearly). */
const HANDLE_ATTEMPTS = 4;
const RETRY_DELAY_MS = 1000;

/**
 * The coordinator's half of every artifact write: it purges what a new revision superseded (the old
 * chunks of a replaced object, all of a deleted one, and their metadata messages), since writers never
 * purge and the bucket refuses rollups (cluster/artifacts/objectBucket.ts). Which revisions may be
 * purged is artifactCleanup.ts's decision.
 *
 * It reads the bucket's metadata subjects with an ordered consumer from the first message, so a
 * coordinator that starts catches up on what was written while none ran; it remembers, per object,
 * the chunk ids not purged yet (a few dozen bytes per object). Chunks of a put that never published
 * its metadata (a writer that died part-way) are not found this way and stay.
 */
export class ArtifactJanitor {
  private readonly log: (line: string) => void;
  private readonly known = new Map<string, ObjectChunks>();
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  /** Ends a grace wait early (stop). */
  private wake: (() => void) | undefined;
  /** Stream sequence of the last metadata message handled (tests wait on it). */
  handledSeq = 0;

  constructor(private readonly o: ArtifactJanitorOptions) {
    this.log = o.log ?? (() => {});
  }

  /** Reads from the first metadata message on; resolves once reading has started (a refusal throws). */
  async start(): Promise<void> {
    this.messages = await this.follow();
    this.loop = this.readOn(this.messages);
  }

  /** An ordered consumer of the metadata subjects, from the first message or after the last handled. */
  private async follow(): Promise<ConsumerMessages> {
    const { js, objects } = this.o.resources;
    const consumer = await js.consumers.get(objects.stream, {
      filter_subjects: objects.allMeta,
      ...(this.handledSeq === 0
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.handledSeq + 1 }),
    });
    return consumer.consume();
  }

  /** Handles messages until stopped; should the consumer end (NATS trouble), follows again from where it was. */
  private async readOn(first: ConsumerMessages): Promise<void> {
    let messages: ConsumerMessages | undefined = first;
    while (!this.stopped) {
      try {
        messages ??= this.messages = await this.follow();
        for await (const m of messages) {
          if (this.stopped) return;
          await this.handleWithRetries(m);
          this.handledSeq = m.seq;
        }
      } catch (err) {
        if (!this.stopped) this.log(`artifact cleanup: ${String(err)}; following the bucket again`);
      }
      messages = undefined;
      if (!this.stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /**
   * A JetStream request that times out on a loaded server would otherwise leave this revision's
   * superseded chunks for good (until a coordinator reads the bucket from the start again): purges are
   * idempotent, so the revision is handled again a few times before it is given up.
   */
  private async handleWithRetries(m: JsMsg): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handle(m);
        return;
      } catch (err) {
        if (attempt >= HANDLE_ATTEMPTS || this.stopped) {
          // NATS down, say: what this revision superseded stays until a coordinator reads it again.
          this.log(`artifact cleanup: ${m.subject} (sequence ${m.seq}): ${String(err)}`);
          return;
        }
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * attempt));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.messages?.close();
    await this.loop?.catch(() => undefined);
  }

  private async handle(m: JsMsg): Promise<void> {
    const meta = parseObjectMeta(m.data);
    if (!meta) return; // not Object Store metadata: nothing of ours to purge
    const { jsm, objects } = this.o.resources;
    const revision = {
      seq: m.seq,
      nuid: meta.nuid,
      deleted: meta.deleted === true,
      time: Number(m.info.timestampNanos / 1_000_000),
    };
    const cleanup = cleanupFor(this.known.get(m.subject), revision, await this.jobWindow(meta.name));
    if (cleanup.purgeChunks.length > 0 || cleanup.purgeMetaBelow !== undefined) {
      // Messages come in order, so waiting here delays only revisions written later still.
      const graceMs = this.o.graceMs ?? DEFAULT_GRACE_MS;
      const wait = Math.min(graceMs, Math.max(0, revision.time + graceMs - Date.now()));
      if (wait > 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
      if (this.stopped) return;
    }
    for (const id of cleanup.purgeChunks) {
      await jsm.streams.purge(objects.stream, { filter: objects.chunkSubject(id) });
    }
    if (cleanup.purgeMetaBelow !== undefined) {
      await jsm.streams.purge(objects.stream, { filter: m.subject, seq: cleanup.purgeMetaBelow });
    }
    if (cleanup.next) this.known.set(m.subject, cleanup.next);
    else this.known.delete(m.subject);
  }

  /** The job an object name (`<jobId>/…`) belongs to, as its record stands now. */
  private async jobWindow(name: string): Promise<JobWindow> {
    const { names, state } = this.o.resources;
    const jobId = name.slice(0, Math.max(0, name.indexOf('/')));
    let key: string;
    try {
      key = names.jobKey(jobId);
    } catch {
      return { running: true, recordTime: 0 }; // not under a job id: no job's artifact
    }
    const entry = await state.get(key);
    if (!entry || entry.operation !== 'PUT') return { running: true, recordTime: 0 };
    const record = entry.json<JobRecord>();
    return { running: record.status === 'running', recordTime: entry.created.getTime() };
  }
}
