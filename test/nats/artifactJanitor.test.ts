import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ArtifactJanitor } from '../../coordinator/nats/artifactJanitor.ts';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from './prefix.ts';

/**
 * The coordinator's janitor purges what writers leave behind (writers never purge; the bucket refuses
 * rollups): replaced revisions' chunks and metadata, deleted objects. It catches up on what was
 * written while it did not run, and leaves the revisions of a job that ended before they were written.
 */

let srv: NatsServer;
let nc: NatsConnection;
let res: NatsResources;
before(async () => {
  srv = await startNatsServer();
  nc = await connect({ servers: srv.url });
  res = await ensureResources(nc, { prefix: uniquePrefix() });
});
after(async () => {
  await nc.close();
  await srv.stop();
});

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

async function messagesOn(subject: string): Promise<number> {
  const info = await res.jsm.streams.info(res.objects.stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

/** Waits until the janitor has handled every metadata message written so far. */
async function settled(janitor: ArtifactJanitor): Promise<void> {
  const last = (await res.jsm.streams.info(res.objects.stream)).state.last_seq;
  const deadline = Date.now() + 20_000;
  while (janitor.handledSeq < last) {
    // The last message may be a chunk, never handed to the janitor: stop at the last metadata one.
    const meta = await res.jsm.streams.getMessage(res.objects.stream, { last_by_subj: res.objects.allMeta });
    if (meta && janitor.handledSeq >= meta.seq) return;
    assert.ok(Date.now() < deadline, `janitor at ${janitor.handledSeq}, stream at ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('revisions written before it started are purged when it catches up; later ones as they come', async () => {
  const b = res.objects;
  const first = await b.put('jobA/model.bin', bytes(3000, 1), 1000);
  const second = await b.put('jobA/model.bin', bytes(2000, 2), 1000);
  const doomed = await b.put('jobA/checkpoint.bin', bytes(1500, 3), 1000);
  await b.markDeleted('jobA/checkpoint.bin');
  assert.equal(await messagesOn(b.chunkSubject(first.nuid)), 3, 'writers purge nothing');
  assert.equal(await messagesOn(b.metaSubject('jobA/model.bin')), 2);

  const janitor = new ArtifactJanitor({ resources: res, graceMs: 0 });
  await janitor.start();
  try {
    await settled(janitor);
    assert.equal(await messagesOn(b.chunkSubject(first.nuid)), 0, 'the replaced chunks are purged');
    assert.equal(await messagesOn(b.metaSubject('jobA/model.bin')), 1, 'one metadata message is left');
    assert.equal(await messagesOn(b.chunkSubject(second.nuid)), 2, 'the current chunks stay');
    assert.equal(await messagesOn(b.chunkSubject(doomed.nuid)), 0, "a deleted object's chunks are purged");
    assert.equal(await messagesOn(b.metaSubject('jobA/checkpoint.bin')), 0, 'and its marker');
    assert.deepEqual((await b.read('jobA/model.bin'))?.bytes, bytes(2000, 2));
    assert.equal(await b.read('jobA/checkpoint.bin'), null);

    const third = await b.put('jobA/model.bin', bytes(10, 4), 1000);
    await settled(janitor);
    assert.equal(await messagesOn(b.chunkSubject(second.nuid)), 0);
    assert.equal(await messagesOn(b.chunkSubject(third.nuid)), 1);
  } finally {
    await janitor.stop();
  }
});

test("a finished job's artifact replaced after the job ended keeps its old chunks; a running job's does not", async () => {
  const b = res.objects;
  const { names, state } = res;
  const janitor = new ArtifactJanitor({ resources: res, graceMs: 0 });
  await janitor.start();
  try {
    const done = await b.put('jobDone/model.bin', bytes(100, 1), 1000);
    const live = await b.put('jobLive/model.bin', bytes(100, 1), 1000);
    await settled(janitor);
    const record = (id: string, status: string) =>
      JSON.stringify({ id, name: id, status, submittedAt: 1, jobText: '', job: {} });
    await state.put(names.jobKey('jobDone'), record('jobDone', 'done'));
    await state.put(names.jobKey('jobLive'), record('jobLive', 'running'));
    // Written after the record says done (what a stolen worker login could do; no Chorus process does).
    await b.put('jobDone/model.bin', bytes(100, 9), 1000);
    await b.put('jobLive/model.bin', bytes(100, 2), 1000);
    await settled(janitor);
    assert.equal(await messagesOn(b.chunkSubject(done.nuid)), 1, "the ended job's bytes stay in the stream");
    assert.equal(
      await messagesOn(b.chunkSubject(live.nuid)),
      0,
      "the running job's replaced bytes are purged",
    );
  } finally {
    await janitor.stop();
  }
});

test('it keeps purging after nats-server restarts under it', async () => {
  const b = res.objects;
  const janitor = new ArtifactJanitor({ resources: res, graceMs: 0 });
  await janitor.start();
  try {
    const before = await b.put('jobR/model.bin', bytes(100, 1), 1000);
    await b.put('jobR/model.bin', bytes(100, 2), 1000);
    await settled(janitor);
    assert.equal(await messagesOn(b.chunkSubject(before.nuid)), 0);
    await srv.restart();
    // The client reconnects by itself; writes go on, and so does the janitor.
    const deadline = Date.now() + 60_000;
    let replaced: string | undefined;
    while (replaced === undefined) {
      try {
        replaced = (await b.put('jobR/model.bin', bytes(100, 3), 1000)).nuid;
      } catch (err) {
        assert.ok(Date.now() < deadline, `writes work again after the restart: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await b.put('jobR/model.bin', bytes(100, 4), 1000);
    while ((await messagesOn(b.chunkSubject(replaced))) > 0) {
      assert.ok(Date.now() < deadline, 'the revision replaced after the restart was purged');
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await janitor.stop();
  }
});
